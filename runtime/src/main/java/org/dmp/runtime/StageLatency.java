package org.dmp.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * How long after the tag hit an event reached a stage of the pipeline. Every service publishes the
 * same histogram, {@code dmp_stage_latency_seconds{stage}}, for the stages it sees, each measured
 * from the event's time (when the edge received the hit), so an operator reads where delivery time
 * goes from the differences between stages.
 */
public final class StageLatency {
  /** The edge has Kafka's acknowledgement of the visit. */
  public static final String EDGE_ACKNOWLEDGED = "edge_acknowledged";

  /** The qualifier has processed the visit. */
  public static final String QUALIFIER_PROCESSED = "qualifier_processed";

  /** Partner sync has read the segment update the visit caused (it was committed). */
  public static final String UPDATE_READ = "update_read";

  /**
   * The partner acknowledged the change (an HTTP 2xx, or the destination topic's committed
   * transaction).
   */
  public static final String PARTNER_ACKNOWLEDGED = "partner_acknowledged";

  private final Timer timer;

  public StageLatency(MeterRegistry registry, String stage, Tags tags) {
    this.timer =
        Timer.builder("dmp_stage_latency")
            .description("Time from the tag hit (the event's time) to a stage of the pipeline")
            .tag("stage", stage)
            .tags(tags)
            .publishPercentileHistogram()
            .register(registry);
  }

  /** The event that happened at {@code hitMillis} (epoch milliseconds) reached this stage now. */
  public void reached(long hitMillis) {
    timer.record(Math.max(0, System.currentTimeMillis() - hitMillis), TimeUnit.MILLISECONDS);
  }

  public void reached(Instant hit) {
    reached(hit.toEpochMilli());
  }

  /** The histogram itself, for a registry to remove when what it measures stops. */
  public Timer meter() {
    return timer;
  }
}
