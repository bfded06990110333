package org.dmp.edge.identity;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.time.Instant;
import org.dmp.schemas.VisitorId;

/**
 * Sets or renews the visitor cookie on an answer. The cookie's Expires dates are formatted once a
 * second, not on every answer. One per event loop.
 */
public final class CookieRenewal {
  private final VisitorCookie cookie;
  private final Clock clock;
  private long expiresSecond = Long.MIN_VALUE;
  private String visitorExpires;
  private String optOutExpires;

  public CookieRenewal(VisitorCookie cookie, Clock clock) {
    this.cookie = cookie;
    this.clock = clock;
  }

  public void renew(HttpServerResponse response, String visitorId) {
    Instant now = clock.instant();
    if (now.getEpochSecond() != expiresSecond) {
      expiresSecond = now.getEpochSecond();
      visitorExpires = cookie.expires(now, false);
      optOutExpires = cookie.expires(now, true);
    }
    boolean optedOut = visitorId.equals(VisitorId.OPTED_OUT);
    response.putHeader(
        HttpHeaders.SET_COOKIE,
        cookie.header(visitorId, optedOut ? optOutExpires : visitorExpires));
  }
}
