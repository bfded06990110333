package org.dmp.inbound.format;

/** Why a whole inbound file is refused: its name, or what the taxonomy says of its data sources. */
public final class InboundFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InboundFileException(String reason) {
    super(reason);
  }
}
