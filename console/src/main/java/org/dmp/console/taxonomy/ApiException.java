package org.dmp.console.taxonomy;

/** A request the taxonomy API refuses: the HTTP status and the reason to answer with. */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  public ApiException(int status, String reason) {
    super(reason);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
