package org.dmp.qualifier.time;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.dmp.qualifier.profile.TimeProgress;

/**
 * How far each partition's event time is behind the clock, as a gauge per partition ({@code
 * dmp_qualifier_time_lag_seconds}) and as warnings for the status once it is more than a bound:
 * profiles there leave their segments that much later than time says.
 */
public final class TimeLag {
  private final MeterRegistry registry;
  private final Clock clock;
  private final Duration warnAbove;
  private final TimeProgress progress;

  /**
   * The progress of a topology whose partitions register a lag gauge in {@code registry} when first
   * seen, and whose late events are counted there.
   */
  public TimeLag(MeterRegistry registry, Clock clock, Duration grace, Duration warnAbove) {
    this.registry = registry;
    this.clock = clock;
    this.warnAbove = warnAbove;
    this.progress = new TimeProgress(grace, this::registerLag);
    FunctionCounter.builder("dmp_qualifier_late_events", progress, TimeProgress::lateEvents)
        .description("Events that came later than the grace behind their partition's time")
        .register(registry);
  }

  private void registerLag(int partition) {
    Gauge.builder("dmp_qualifier_time_lag_seconds", () -> lagSeconds(partition))
        .description("Wall clock minus the event time the partition has reached")
        .tag("partition", Integer.toString(partition))
        .register(registry);
  }

  public TimeProgress progress() {
    return progress;
  }

  /** NaN for a partition not processed here (any more). */
  double lagSeconds(int partition) {
    Long time = progress.partitionTimes().get(partition);
    return time == null ? Double.NaN : (clock.millis() - time) / 1000.0;
  }

  /** One line per partition whose time lags more than the bound, in partition order. */
  public List<String> warnings() {
    long now = clock.millis();
    return new TreeMap<>(progress.partitionTimes())
        .entrySet().stream()
            .filter(entry -> now - entry.getValue() > warnAbove.toMillis())
            .map(
                (Map.Entry<Integer, Long> entry) ->
                    "event time on partition %d is %d s behind the clock (more than %d s): segments there lapse that much late; are ticks written?"
                        .formatted(
                            entry.getKey(), (now - entry.getValue()) / 1000, warnAbove.toSeconds()))
            .toList();
  }
}
