package org.dmp.edge.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Set;

/**
 * Lets tags on other origins read the edge's answers, as Adobe's DIL and ID service do with a
 * credentialed cross-origin XHR: an allowed {@code Origin} is echoed with {@code
 * Access-Control-Allow-Credentials: true} (a credentialed call may not be answered with {@code *}),
 * and a preflight {@code OPTIONS} is answered here. A call from an origin not allowed is still
 * recorded, as an image request would be; only its answer is not shared with the page.
 */
public final class CorsStep implements Handler<RoutingContext> {
  private static final String ANY = "*";
  private static final CharSequence ALLOWED_METHODS = HttpHeaders.createOptimized("GET, POST");
  private static final CharSequence TRUE = HttpHeaders.createOptimized("true");
  private static final CharSequence MAX_AGE = HttpHeaders.createOptimized("600");
  private static final CharSequence VARY_ORIGIN = HttpHeaders.createOptimized("Origin");

  private final Set<String> allowedOrigins;

  /**
   * @param allowedOrigins origins such as {@code https://shop.example}, or {@code *} for any
   */
  public CorsStep(Set<String> allowedOrigins) {
    this.allowedOrigins = Set.copyOf(allowedOrigins);
  }

  @Override
  public void handle(RoutingContext context) {
    String origin = context.request().getHeader(HttpHeaders.ORIGIN);
    boolean allowed = origin != null && allows(origin);
    if (allowed) {
      context
          .response()
          .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
          .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE)
          .putHeader(HttpHeaders.VARY, VARY_ORIGIN);
    }
    if (context.request().method() != HttpMethod.OPTIONS) {
      context.next();
      return;
    }
    if (!allowed) {
      throw new Refused(
          403,
          "origin " + (origin == null ? "(none)" : "'" + origin + "'") + " may not call the edge");
    }
    String requestedHeaders =
        context.request().getHeader(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS);
    if (requestedHeaders != null) {
      context.response().putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, requestedHeaders);
    }
    context
        .response()
        .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS)
        .putHeader(HttpHeaders.ACCESS_CONTROL_MAX_AGE, MAX_AGE)
        .setStatusCode(204)
        .end();
  }

  private boolean allows(String origin) {
    return allowedOrigins.contains(ANY) || allowedOrigins.contains(origin.toLowerCase(Locale.ROOT));
  }
}
