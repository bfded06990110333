package org.dmp.edge.identity;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.Optional;
import org.dmp.schemas.VisitorId;

/**
 * The first-party cookie that carries the visitor id, renewed on every answer. On a hit that came
 * over HTTPS it is marked {@code SameSite=None; Secure} so that browsers send it on cross-site tag
 * calls.
 *
 * <p>The header is written here rather than by Netty's cookie encoder, which formats the expiry
 * date anew for every answer: the date changes once a second, so callers format it once a second
 * with {@link #expires} and pass it to {@link #header}.
 *
 * @param name the cookie's name ({@code cookie.name})
 * @param domain the domain it is set for; empty means the host that answered
 * @param maxAge how long a visitor id lives without calls (180 days)
 * @param optOutMaxAge how long the opt-out mark lives (10 years)
 */
public record VisitorCookie(
    String name, Optional<String> domain, Duration maxAge, Duration optOutMaxAge) {
  public VisitorCookie {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(domain, "domain");
  }

  /**
   * The Expires attribute's date for a cookie set at {@code now}, for a visitor id or for the
   * opt-out mark.
   */
  public String expires(Instant now, boolean optedOut) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(
        now.plus(optedOut ? optOutMaxAge : maxAge).atOffset(ZoneOffset.UTC));
  }

  /**
   * The Set-Cookie header renewing {@code visitorId}; {@code expires} as {@link #expires} gives it.
   *
   * @param secure whether the hit came over HTTPS: only then may the cookie be cross-site
   */
  public String header(String visitorId, String expires, boolean secure) {
    Duration age = visitorId.equals(VisitorId.OPTED_OUT) ? optOutMaxAge : maxAge;
    StringBuilder header =
        new StringBuilder(160)
            .append(name)
            .append('=')
            .append(visitorId)
            .append("; Max-Age=")
            .append(age.toSeconds())
            .append("; Expires=")
            .append(expires)
            .append("; Path=/");
    domain.ifPresent(value -> header.append("; Domain=").append(value));
    header.append("; HttpOnly");
    if (secure) {
      header.append("; Secure; SameSite=None");
    }
    return header.toString();
  }
}
