package org.dmp.edge.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VisitorIdsTest {

  @Test
  void newIdsHave38DigitsAndDoNotRepeat() {
    VisitorIds ids = new VisitorIds();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = ids.next();
      assertThat(id).hasSize(38).matches("[1-9][0-9]{37}");
      seen.add(id);
    }
    assertThat(seen).hasSize(10_000);
  }

  @Test
  void theCookieLivesLongerForAnOptOutAndIsCrossSiteOnlyOverHttps() {
    VisitorCookie plain =
        new VisitorCookie(
            "dmp", Optional.of("example.com"), Duration.ofDays(180), Duration.ofDays(3650));
    VisitorCookie tls =
        new VisitorCookie("dmp", Optional.empty(), Duration.ofDays(180), Duration.ofDays(3650));
    Instant now = Instant.parse("2026-11-23T10:00:00Z");

    assertThat(plain.header("123", plain.expires(now, false), false))
        .isEqualTo(
            "dmp=123; Max-Age=15552000; Expires=Sat, 22 May 2027 10:00:00 GMT; Path=/; Domain=example.com; HttpOnly");
    assertThat(plain.header("NOTARGET", plain.expires(now, true), false))
        .isEqualTo(
            "dmp=NOTARGET; Max-Age=315360000; Expires=Thu, 20 Nov 2036 10:00:00 GMT; Path=/; Domain=example.com; HttpOnly");
    assertThat(tls.header("123", tls.expires(now, false), true))
        .endsWith("; Path=/; HttpOnly; Secure; SameSite=None");
  }
}
