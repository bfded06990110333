package org.dmp.edge.identity;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The first-party cookie that carries the visitor id, renewed on every answer. Over TLS it is
 * marked {@code SameSite=None; Secure} so that browsers send it on cross-site tag calls.
 *
 * @param name the cookie's name ({@code dcs.cookie.name})
 * @param domain the domain it is set for; empty means the host that answered
 * @param maxAge how long a visitor id lives without calls (180 days)
 * @param optOutMaxAge how long the opt-out mark lives (10 years)
 * @param secure whether the edge is served over TLS
 */
public record VisitorCookie(String name, Optional<String> domain, Duration maxAge, Duration optOutMaxAge, boolean secure) {
  public VisitorCookie {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(domain, "domain");
  }

  /** The cookie renewing {@code visitorId}; the opt-out mark gets its own, longer life. */
  public Cookie forVisitor(String visitorId) {
    Cookie cookie = Cookie.cookie(name, visitorId)
        .setPath("/")
        .setMaxAge((visitorId.equals(VisitorIds.OPTED_OUT) ? optOutMaxAge : maxAge).toSeconds())
        .setHttpOnly(true);
    domain.ifPresent(cookie::setDomain);
    if (secure) {
      cookie.setSecure(true).setSameSite(CookieSameSite.NONE);
    }
    return cookie;
  }
}
