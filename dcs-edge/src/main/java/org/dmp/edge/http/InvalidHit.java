package org.dmp.edge.http;

/** A call whose parameters the edge cannot take: 400 with the first problem found. */
public final class InvalidHit extends Refused {
  private static final long serialVersionUID = 1L;

  public InvalidHit(String reason) {
    super(400, reason);
  }
}
