package org.dmp.edge.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/** The edge's answers: the pixel, JSON or JSONP, redirects and JSON errors. */
public final class Responses {
  /** A transparent 1x1 GIF, the smallest a browser renders. */
  private static final Buffer PIXEL =
      Buffer.buffer(
          Base64.getDecoder().decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"));

  // Header values encoded once, not checked and encoded again on every answer.
  private static final CharSequence GIF = HttpHeaders.createOptimized("image/gif");
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");

  /**
   * A dotted path of JavaScript names, each optionally indexed by numbers, such as {@code
   * s_c_il[0]._setAudienceManagerFields}: nothing in it can end the call and start another
   * statement.
   */
  private static final Pattern CALLBACK =
      Pattern.compile(
          "[A-Za-z_$][A-Za-z0-9_$]{0,63}(\\[[0-9]{1,9}\\]){0,4}"
              + "(\\.[A-Za-z_$][A-Za-z0-9_$]{0,63}(\\[[0-9]{1,9}\\]){0,4}){0,7}");

  private Responses() {}

  /**
   * The call's JSONP callback ({@code d_cb}), if it names one.
   *
   * @throws InvalidHit if it could be anything but a function's name
   */
  public static Optional<String> callback(Form form) {
    Optional<String> callback = form.single("d_cb");
    if (callback.isPresent() && !CALLBACK.matcher(callback.get()).matches()) {
      throw new InvalidHit(
          "d_cb must be a JavaScript function name (letters, digits, _ and $, dotted at most 8 deep)");
    }
    return callback;
  }

  public static void pixel(HttpServerResponse response) {
    noStore(response).putHeader(HttpHeaders.CONTENT_TYPE, GIF).end(PIXEL);
  }

  /** Answers with {@code {"error": reason}}. */
  public static void error(HttpServerResponse response, int status, String reason) {
    noStore(response)
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(new JsonObject().put("error", reason).encode());
  }

  /** 503 with Retry-After: the caller may send the same call again later. */
  public static void unavailable(HttpServerResponse response, Duration retryAfter, String reason) {
    response.putHeader(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())));
    error(response, 503, reason);
  }

  /** JSON, or JSONP when the call named a {@link #callback}. */
  public static void json(HttpServerResponse response, JsonObject json, Optional<String> callback) {
    noStore(response);
    if (callback.isPresent()) {
      response
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/javascript; charset=utf-8")
          .putHeader("X-Content-Type-Options", "nosniff")
          .end(callback.get() + "(" + json.encode() + ");");
    } else {
      response.putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(json.encode());
    }
  }

  /** 302 to {@code location}, not to be cached. */
  public static void redirect(HttpServerResponse response, String location) {
    noStore(response).setStatusCode(302).putHeader(HttpHeaders.LOCATION, location).end();
  }

  private static HttpServerResponse noStore(HttpServerResponse response) {
    return response.putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE);
  }
}
