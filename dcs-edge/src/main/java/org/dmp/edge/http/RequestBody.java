package org.dmp.edge.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.Locale;

/**
 * Reads a form body of at most {@code limit} bytes without holding more than that: a declared
 * Content-Length over the limit is refused before reading, a chunked body as soon as it passes it.
 */
public final class RequestBody {
  private static final String FORM = "application/x-www-form-urlencoded";

  private RequestBody() {}

  private static Refused tooLarge(int limit) {
    return new Refused(413, "the body is larger than " + limit + " bytes");
  }

  private static Refused notAForm(String path, String contentType) {
    return new Refused(415, "POST " + path + " takes " + FORM + ", not '" + contentType + "'");
  }

  /** The body, or a failed future with a {@link Refused} of 413 (too large) or 415 (not a form). */
  public static Future<byte[]> readForm(HttpServerRequest request, int limit) {
    String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith(FORM)) {
      return Future.failedFuture(notAForm(request.path(), contentType == null ? "" : contentType));
    }
    String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    // Netty has already refused a malformed Content-Length; an absent one means a chunked body.
    if (declared != null && (declared.length() > 12 || Long.parseLong(declared.trim()) > limit)) {
      return Future.failedFuture(tooLarge(limit));
    }
    Promise<byte[]> body = Promise.promise();
    Buffer collected = Buffer.buffer();
    request.handler(
        chunk -> {
          if (body.future().isComplete()) {
            return;
          }
          if (collected.length() + chunk.length() > limit) {
            body.tryFail(tooLarge(limit));
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
