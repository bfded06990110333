package org.dmp.edge.answer;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.Base64;
import org.dmp.edge.dcs.DcsCall;

/** The edge's answers: the pixel, the DCS JSON (or JSONP) object, and JSON errors. */
public final class Responses {
  /** A transparent 1x1 GIF, the smallest a browser renders. */
  private static final Buffer PIXEL = Buffer.buffer(Base64.getDecoder().decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"));
  // Header values encoded once, not checked and encoded again on every answer.
  private static final CharSequence GIF = HttpHeaders.createOptimized("image/gif");
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");

  private Responses() {}

  public static void pixel(HttpServerResponse response) {
    noStore(response).putHeader(HttpHeaders.CONTENT_TYPE, GIF).end(PIXEL);
  }

  /** Answers with {@code {"error": reason}}. */
  public static void error(HttpServerResponse response, int status, String reason) {
    noStore(response).setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(new JsonObject().put("error", reason).encode());
  }

  /** 503 with Retry-After: the caller may send the same call again later. */
  public static void unavailable(HttpServerResponse response, Duration retryAfter, String reason) {
    response.putHeader(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())));
    error(response, 503, reason);
  }

  /**
   * The DCS answer: {@code stuff}, {@code dests} (when asked for with d_dst=1), {@code uuid},
   * {@code dcs_region}, {@code tid}, and {@code traits} / {@code segments} when d_cts asks.
   */
  public static JsonObject dcsJson(String visitorId, int region, String transactionId, Qualification qualification,
      DcsCall.AnswerOptions options) {
    JsonArray stuff = new JsonArray();
    qualification.stuff().forEach(cookie -> stuff.add(new JsonObject()
        .put("cn", cookie.name()).put("cv", cookie.value()).put("ttl", cookie.ttlDays()).put("dmn", cookie.domain())));
    JsonArray dests = new JsonArray();
    if (options.urlDestinations()) {
      qualification.dests().forEach(url -> dests.add(new JsonObject().put("c", url)));
    }
    JsonObject json = new JsonObject()
        .put("stuff", stuff)
        .put("dests", dests)
        .put("uuid", visitorId)
        .put("dcs_region", region)
        .put("tid", transactionId);
    if (options.traits()) {
      json.put("traits", new JsonArray(qualification.traits()));
    }
    if (options.segments()) {
      json.put("segments", new JsonArray(qualification.segments()));
    }
    if (qualification.stale()) {
      json.put("stale", true);
    }
    return json;
  }

  /** JSON, or JSONP when the call named a callback (its name was validated when parsed). */
  public static void json(HttpServerResponse response, JsonObject json, DcsCall.AnswerOptions options) {
    noStore(response);
    if (options.callback().isPresent()) {
      response.putHeader(HttpHeaders.CONTENT_TYPE, "application/javascript; charset=utf-8")
          .putHeader("X-Content-Type-Options", "nosniff")
          .end(options.callback().get() + "(" + json.encode() + ");");
    } else {
      response.putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(json.encode());
    }
  }

  private static HttpServerResponse noStore(HttpServerResponse response) {
    return response.putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE);
  }
}
