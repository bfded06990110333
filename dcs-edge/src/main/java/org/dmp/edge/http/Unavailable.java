package org.dmp.edge.http;

/**
 * The edge cannot take an event now (Kafka unreachable, too many events in flight, or no
 * acknowledgement in time): the caller gets 503 with Retry-After and may send it again.
 */
public final class Unavailable extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public Unavailable(String reason) {
    super(reason, null, false, false);
  }

  public Unavailable(String reason, Throwable cause) {
    super(reason, cause, false, false);
  }
}
