package org.dmp.edge.http;

/**
 * A call the edge refuses with a 4xx status and a JSON reason; nothing of it is recorded. Carries
 * no stack trace: it is an answer to a client, not a fault of the edge.
 */
public class Refused extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  public Refused(int status, String reason) {
    super(reason, null, false, false);
    if (status < 400 || status > 499) {
      throw new IllegalArgumentException("a refusal is a 4xx status, not " + status);
    }
    this.status = status;
  }

  public int status() {
    return status;
  }
}
