package org.dmp.sync.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.dmp.sync.delivery.RetryPolicy;

/**
 * What follows an attempt: the batch is delivered, is tried again after a wait, or is given up.
 * Timeouts, connection errors, 408, 429 and 5xx may pass and are retried within the retry budget
 * (after Retry-After when the partner names it); any other answer will not pass and is given up at
 * once.
 */
final class FailurePolicy {
  /** What to do with a batch after an attempt. */
  sealed interface Decision {}

  record Delivered() implements Decision {}

  record Retry(Duration delay, String failure) implements Decision {}

  record GiveUp(String reason) implements Decision {}

  private final RetryPolicy retry;
  private final Clock clock;
  private final RandomGenerator random;

  FailurePolicy(RetryPolicy retry, Clock clock, RandomGenerator random) {
    this.retry = retry;
    this.clock = clock;
    this.random = random;
  }

  /**
   * @param attempts attempts made so far, this one included
   * @param firstAttempt when the first attempt began
   */
  Decision decide(HttpSender.Sent sent, int attempts, Instant firstAttempt) {
    if (sent.delivered()) {
      return new Delivered();
    }
    String failure = sent.failure();
    if (sent.status().isPresent() && !retryable(sent.status().get())) {
      return new GiveUp("permanent failure: " + failure);
    }
    Instant now = clock.instant();
    Optional<Duration> wait =
        retry.next(
            attempts,
            sent.retryAfter().flatMap(value -> retryAfter(value, now)),
            Duration.between(firstAttempt, now),
            random);
    return wait.<Decision>map(delay -> new Retry(delay, failure))
        .orElseGet(
            () ->
                new GiveUp(
                    "retry budget of "
                        + retry.giveUpAfter()
                        + " spent after "
                        + attempts
                        + " attempts; last: "
                        + failure));
  }

  static boolean retryable(int status) {
    return status == 408 || status == 429 || status >= 500;
  }

  /** Retry-After as seconds or as an HTTP date; empty when absent or neither. */
  static Optional<Duration> retryAfter(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim()))));
    } catch (NumberFormatException notSeconds) {
      try {
        Duration until =
            Duration.between(
                now,
                ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant());
        return Optional.of(until.isNegative() ? Duration.ZERO : until);
      } catch (DateTimeParseException notDate) {
        return Optional.empty();
      }
    }
  }
}
