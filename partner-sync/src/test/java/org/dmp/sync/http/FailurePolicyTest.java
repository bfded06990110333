package org.dmp.sync.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.SplittableRandom;
import org.dmp.sync.delivery.RetryPolicy;
import org.junit.jupiter.api.Test;

class FailurePolicyTest {
  private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
  private static final RetryPolicy RETRY =
      new RetryPolicy(Duration.ofSeconds(1), 2, Duration.ofSeconds(30), Duration.ofMinutes(5), 0);
  private static final FailurePolicy POLICY =
      new FailurePolicy(RETRY, Clock.fixed(NOW, ZoneOffset.UTC), new SplittableRandom(1));

  private static HttpSender.Sent answered(int status, String retryAfter) {
    return new HttpSender.Sent(
        Optional.of(status),
        Optional.ofNullable(retryAfter),
        Optional.empty(),
        Duration.ofMillis(5));
  }

  private static HttpSender.Sent unanswered(String error) {
    return new HttpSender.Sent(
        Optional.empty(), Optional.empty(), Optional.of(error), Duration.ofMillis(5));
  }

  @Test
  void a2xxIsDelivered() {
    assertThat(POLICY.decide(answered(204, null), 1, NOW))
        .isInstanceOf(FailurePolicy.Delivered.class);
  }

  @Test
  void timeoutsThrottlingAndServerErrorsAreRetriedWithBackoffOtherClientErrorsAreGivenUp() {
    assertThat(POLICY.decide(answered(503, null), 1, NOW))
        .isEqualTo(new FailurePolicy.Retry(Duration.ofSeconds(1), "HTTP 503"));
    assertThat(POLICY.decide(answered(429, null), 3, NOW))
        .isEqualTo(new FailurePolicy.Retry(Duration.ofSeconds(4), "HTTP 429"));
    assertThat(POLICY.decide(unanswered("connection refused"), 1, NOW))
        .isEqualTo(new FailurePolicy.Retry(Duration.ofSeconds(1), "connection refused"));
    assertThat(POLICY.decide(answered(400, null), 1, NOW))
        .isEqualTo(new FailurePolicy.GiveUp("permanent failure: HTTP 400"));
    assertThat(FailurePolicy.retryable(408)).isTrue();
    assertThat(FailurePolicy.retryable(404)).isFalse();
  }

  @Test
  void thePartnersRetryAfterIsHonouredUpToTheLongestDelay() {
    assertThat(POLICY.decide(answered(503, "7"), 1, NOW))
        .isEqualTo(new FailurePolicy.Retry(Duration.ofSeconds(7), "HTTP 503"));
    assertThat(POLICY.decide(answered(503, "3600"), 1, NOW))
        .isEqualTo(new FailurePolicy.Retry(Duration.ofSeconds(30), "HTTP 503"));
  }

  @Test
  void theBudgetIsCountedFromTheFirstAttemptOnTheClock() {
    Instant fourMinutesAgo = NOW.minus(Duration.ofMinutes(4));
    Instant almostFiveMinutesAgo = NOW.minus(Duration.ofMinutes(5)).plusSeconds(10);

    assertThat(POLICY.decide(answered(500, null), 2, fourMinutesAgo))
        .isInstanceOf(FailurePolicy.Retry.class);
    assertThat(POLICY.decide(answered(500, null), 6, almostFiveMinutesAgo))
        .isEqualTo(
            new FailurePolicy.GiveUp(
                "retry budget of PT5M spent after 6 attempts; last: HTTP 500"));
  }

  @Test
  void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
    assertThat(FailurePolicy.retryAfter("120", NOW)).contains(Duration.ofMinutes(2));
    assertThat(FailurePolicy.retryAfter("Tue, 24 Nov 2026 10:00:30 GMT", NOW))
        .contains(Duration.ofSeconds(30));
    assertThat(FailurePolicy.retryAfter("Tue, 24 Nov 2026 09:00:00 GMT", NOW))
        .contains(Duration.ZERO);
    assertThat(FailurePolicy.retryAfter(null, NOW)).isEmpty();
    assertThat(FailurePolicy.retryAfter("soon", NOW)).isEmpty();
  }
}
