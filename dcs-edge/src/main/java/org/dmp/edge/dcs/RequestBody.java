package org.dmp.edge.dcs;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads a form body of at most {@code limit} bytes without holding more than that: a declared
 * Content-Length over the limit is refused before reading, a chunked body as soon as it passes it.
 */
public final class RequestBody {
  private static final String FORM = "application/x-www-form-urlencoded";

  private RequestBody() {}

  /** The body is larger than the edge takes: 413. */
  public static final class TooLarge extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooLarge(int limit) {
      super("the body is larger than " + limit + " bytes", null, false, false);
    }
  }

  /** The body is not a form: 415. */
  public static final class NotAForm extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotAForm(String contentType) {
      super("POST /event takes " + FORM + ", not '" + contentType + "'", null, false, false);
    }
  }

  public static Future<byte[]> readForm(HttpServerRequest request, int limit) {
    String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
    if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith(FORM)) {
      return Future.failedFuture(new NotAForm(contentType == null ? "" : contentType));
    }
    String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    // Netty has already refused a malformed Content-Length; an absent one means a chunked body.
    if (declared != null && (declared.length() > 12 || Long.parseLong(declared.trim()) > limit)) {
      return Future.failedFuture(new TooLarge(limit));
    }
    Promise<byte[]> body = Promise.promise();
    Buffer collected = Buffer.buffer();
    request.handler(chunk -> {
      if (body.future().isComplete()) {
        return;
      }
      if (collected.length() + chunk.length() > limit) {
        body.tryFail(new TooLarge(limit));
        return;
      }
      collected.appendBuffer(chunk);
    });
    request.exceptionHandler(body::tryFail);
    request.endHandler(end -> body.tryComplete(collected.getBytes()));
    request.resume();
    return body.future();
  }
}
