package org.dmp.edge.identity;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import org.dmp.schemas.VisitorId;

/**
 * Sets or renews the visitor cookie on an answer. The cookie's Expires dates are formatted once a
 * second, not on every answer. One per event loop.
 *
 * <p>A hit came over HTTPS when its connection is TLS, or, behind a TLS-terminating proxy that the
 * configuration trusts ({@code http.trust-forwarded-proto}), when {@code X-Forwarded-Proto} says
 * {@code https}. An untrusted header is ignored: any client could send it.
 */
public final class CookieRenewal {
  private final VisitorCookie cookie;
  private final Clock clock;
  private final boolean trustForwardedProto;
  private long expiresSecond = Long.MIN_VALUE;
  private String visitorExpires;
  private String optOutExpires;

  public CookieRenewal(VisitorCookie cookie, Clock clock, boolean trustForwardedProto) {
    this.cookie = cookie;
    this.clock = clock;
    this.trustForwardedProto = trustForwardedProto;
  }

  /**
   * Writes {@code visitorId} into the cookie, or the opt-out mark; nothing but the opt-out mark for
   * a child-directed call.
   */
  public void renew(RoutingContext context, String visitorId) {
    boolean optedOut = visitorId.equals(VisitorId.OPTED_OUT);
    if (!optedOut && Visitor.of(context).childDirected()) {
      return;
    }
    Instant now = clock.instant();
    if (now.getEpochSecond() != expiresSecond) {
      expiresSecond = now.getEpochSecond();
      visitorExpires = cookie.expires(now, false);
      optOutExpires = cookie.expires(now, true);
    }
    context
        .response()
        .putHeader(
            HttpHeaders.SET_COOKIE,
            cookie.header(
                visitorId,
                optedOut ? optOutExpires : visitorExpires,
                overHttps(context.request())));
  }

  private boolean overHttps(HttpServerRequest request) {
    if (request.isSSL()) {
      return true;
    }
    String forwarded = trustForwardedProto ? request.getHeader("X-Forwarded-Proto") : null;
    // A chain of proxies lists one protocol each; the first is the client's.
    return forwarded != null && forwarded.split(",", -1)[0].trim().equalsIgnoreCase("https");
  }
}
