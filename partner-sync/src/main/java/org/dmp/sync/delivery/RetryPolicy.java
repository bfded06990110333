package org.dmp.sync.delivery;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When to try a failed delivery again: exponential backoff with jitter, so partners recovering from
 * an outage are not hit by every sender at the same instant, within a total budget.
 *
 * @param jitterPercent each delay is drawn uniformly within this many percent either side of the
 *     nominal one
 */
public record RetryPolicy(
    Duration initialDelay,
    int multiplier,
    Duration maxDelay,
    Duration giveUpAfter,
    int jitterPercent) {
  public RetryPolicy {
    Objects.requireNonNull(initialDelay, "initialDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    Objects.requireNonNull(giveUpAfter, "giveUpAfter");
  }

  /**
   * The nominal delay after failed attempt {@code attempt} (1 for the first try), before jitter.
   */
  public Duration nominalDelay(int attempt) {
    double millis = initialDelay.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
    return millis >= maxDelay.toMillis() ? maxDelay : Duration.ofMillis((long) millis);
  }

  /**
   * The wait before the next attempt, or empty when the budget would be spent by then.
   *
   * @param retryAfter what the partner asked for (Retry-After), used instead of the backoff
   * @param elapsed time since the first attempt started
   */
  public Optional<Duration> next(
      int attempt, Optional<Duration> retryAfter, Duration elapsed, RandomGenerator random) {
    Duration delay =
        retryAfter
            .map(asked -> asked.compareTo(maxDelay) > 0 ? maxDelay : asked)
            .orElseGet(() -> jittered(attempt, random));
    return elapsed.plus(delay).compareTo(giveUpAfter) > 0 ? Optional.empty() : Optional.of(delay);
  }

  private Duration jittered(int attempt, RandomGenerator random) {
    long nominal = nominalDelay(attempt).toMillis();
    long spread = nominal * jitterPercent / 100;
    long drawn = spread == 0 ? nominal : nominal - spread + random.nextLong(2 * spread + 1);
    return Duration.ofMillis(Math.min(drawn, maxDelay.toMillis()));
  }
}
