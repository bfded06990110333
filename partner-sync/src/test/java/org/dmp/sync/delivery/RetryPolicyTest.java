package org.dmp.sync.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static final RetryPolicy DEFAULTS =
      new RetryPolicy(Duration.ofSeconds(1), 2, Duration.ofMinutes(10), Duration.ofHours(24), 20);

  @Test
  void delaysStartAtTheInitialOneAndDoubleUpToTheCap() {
    assertThat(DEFAULTS.nominalDelay(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(DEFAULTS.nominalDelay(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(DEFAULTS.nominalDelay(10)).isEqualTo(Duration.ofSeconds(512));
    assertThat(DEFAULTS.nominalDelay(11)).isEqualTo(Duration.ofMinutes(10));
    assertThat(DEFAULTS.nominalDelay(500)).isEqualTo(Duration.ofMinutes(10));
  }

  @Property
  void eachDelayIsWithinTheJitterOfItsNominalAndNeverPastTheCap(
      @ForAll @IntRange(min = 1, max = 60) int attempt, @ForAll long seed) {
    Duration delay =
        DEFAULTS
            .next(attempt, Optional.empty(), Duration.ZERO, new SplittableRandom(seed))
            .orElseThrow();
    long nominal = DEFAULTS.nominalDelay(attempt).toMillis();
    assertThat(delay.toMillis())
        .isBetween(
            nominal * 80 / 100, Math.min(nominal * 120 / 100, Duration.ofMinutes(10).toMillis()));
  }

  @Test
  void aPartnersRetryAfterIsHonouredUpToTheCap() {
    assertThat(
            DEFAULTS.next(
                1, Optional.of(Duration.ofSeconds(30)), Duration.ZERO, new SplittableRandom(1)))
        .contains(Duration.ofSeconds(30));
    assertThat(
            DEFAULTS.next(
                1, Optional.of(Duration.ofDays(2)), Duration.ZERO, new SplittableRandom(1)))
        .contains(Duration.ofMinutes(10));
  }

  @Test
  void noRetryOnceTheBudgetWouldBeSpent() {
    RetryPolicy policy =
        new RetryPolicy(
            Duration.ofSeconds(1), 2, Duration.ofMinutes(10), Duration.ofSeconds(10), 0);
    assertThat(policy.next(3, Optional.empty(), Duration.ofSeconds(5), new SplittableRandom(1)))
        .contains(Duration.ofSeconds(4));
    assertThat(policy.next(3, Optional.empty(), Duration.ofSeconds(7), new SplittableRandom(1)))
        .isEmpty();
  }
}
