package org.dmp.inbound.format;

/** Why one line of an inbound file is rejected; the caller adds the line number. */
public final class InboundLineException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InboundLineException(String reason) {
    super(reason, null, false, false);
  }
}
