package org.dmp.sync.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HttpOutcomeTest {
  private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");

  @Test
  void timeoutsThrottlingAndServerErrorsAreRetriedOtherClientErrorsAreNot() {
    assertThat(HttpDestination.retryable(408)).isTrue();
    assertThat(HttpDestination.retryable(429)).isTrue();
    assertThat(HttpDestination.retryable(500)).isTrue();
    assertThat(HttpDestination.retryable(503)).isTrue();
    assertThat(HttpDestination.retryable(400)).isFalse();
    assertThat(HttpDestination.retryable(401)).isFalse();
    assertThat(HttpDestination.retryable(404)).isFalse();
  }

  @Test
  void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
    assertThat(HttpDestination.retryAfter("120", NOW)).contains(Duration.ofMinutes(2));
    assertThat(HttpDestination.retryAfter("Tue, 24 Nov 2026 10:00:30 GMT", NOW)).contains(Duration.ofSeconds(30));
    assertThat(HttpDestination.retryAfter("Tue, 24 Nov 2026 09:00:00 GMT", NOW)).contains(Duration.ZERO);
    assertThat(HttpDestination.retryAfter(null, NOW)).isEmpty();
    assertThat(HttpDestination.retryAfter("soon", NOW)).isEmpty();
  }
}
