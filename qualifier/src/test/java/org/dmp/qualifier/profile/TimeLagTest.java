package org.dmp.qualifier.profile;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.dmp.qualifier.time.TimeLag;
import org.junit.jupiter.api.Test;

class TimeLagTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  @Test
  void eachPartitionsLagIsAGaugeAndAWarningOnceItPassesTheBound() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TimeLag lag =
        new TimeLag(
            registry,
            Clock.fixed(NOW, ZoneOffset.UTC),
            Duration.ofSeconds(2),
            Duration.ofSeconds(30));

    lag.progress().reached(0, NOW.minusSeconds(3).toEpochMilli());
    lag.progress().reached(3, NOW.minusSeconds(45).toEpochMilli());
    lag.progress().late();

    assertThat(registry.get("dmp_qualifier_time_lag_seconds").tag("partition", "0").gauge().value())
        .isEqualTo(3.0);
    assertThat(registry.get("dmp_qualifier_time_lag_seconds").tag("partition", "3").gauge().value())
        .isEqualTo(45.0);
    assertThat(registry.get("dmp_qualifier_late_events").functionCounter().count()).isEqualTo(1);
    assertThat(lag.warnings())
        .singleElement()
        .asString()
        .startsWith("event time on partition 3 is 45 s behind the clock");

    lag.progress().released(3);
    assertThat(registry.get("dmp_qualifier_time_lag_seconds").tag("partition", "3").gauge().value())
        .as("a partition no longer processed here")
        .isNaN();
    assertThat(lag.warnings()).isEmpty();
  }
}
