package org.dmp.edge.dcs;

/**
 * A call the edge refuses with 400 and a JSON reason; nothing of it is produced. Carries no stack
 * trace: it is an answer to a client, not a fault of the edge.
 */
public final class InvalidCall extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidCall(String reason) {
    super(reason, null, false, false);
  }
}
