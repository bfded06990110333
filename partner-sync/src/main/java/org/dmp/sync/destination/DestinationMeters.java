package org.dmp.sync.destination;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.dmp.runtime.StageLatency;

/**
 * One destination's meters, tagged with its id; removed from the registry when the destination
 * stops.
 */
public final class DestinationMeters implements AutoCloseable {
  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  private final Counter delivered;
  private final Counter retried;
  private final Counter deadLettered;
  private final Counter noPartnerId;
  private final Timer latency;
  private final AtomicLong lag = new AtomicLong();
  private final StageLatency updateRead;
  private final StageLatency partnerAcknowledged;

  public DestinationMeters(MeterRegistry registry, long destinationId, String type) {
    this.registry = registry;
    Tags tags = Tags.of("destination", Long.toString(destinationId), "type", type);
    delivered =
        add(
            Counter.builder("dmp_sync_delivered_users")
                .description("Users' changes delivered")
                .tags(tags)
                .register(registry));
    retried =
        add(
            Counter.builder("dmp_sync_retries")
                .description("Deliveries tried again after a failure")
                .tags(tags)
                .register(registry));
    deadLettered =
        add(
            Counter.builder("dmp_sync_dead_lettered_users")
                .description("Users' changes given up on and dead-lettered")
                .tags(tags)
                .register(registry));
    noPartnerId =
        add(
            Counter.builder("dmp_sync_no_partner_id")
                .description(
                    "Changes not sent: the visitor has no id for the destination's data source")
                .tags(tags)
                .register(registry));
    latency =
        add(
            Timer.builder("dmp_sync_delivery_latency")
                .description("How long a delivery took: one HTTP request, or one transaction")
                .publishPercentileHistogram()
                .tags(tags)
                .register(registry));
    updateRead = new StageLatency(registry, StageLatency.UPDATE_READ, tags);
    partnerAcknowledged = new StageLatency(registry, StageLatency.PARTNER_ACKNOWLEDGED, tags);
    add(updateRead.meter());
    add(partnerAcknowledged.meter());
    add(
        Gauge.builder("dmp_sync_lag", lag, AtomicLong::get)
            .description("Changes on the segment topic not yet read by the destination")
            .tags(tags)
            .register(registry));
  }

  private <M extends Meter> M add(M meter) {
    meters.add(meter);
    return meter;
  }

  public void delivered(int users, Duration took) {
    delivered.increment(users);
    latency.record(took);
  }

  /** A segment update caused by an event at {@code eventTime} was read. */
  public void updateRead(Instant eventTime) {
    updateRead.reached(eventTime);
  }

  /** The partner acknowledged these changes. */
  public void partnerAcknowledged(List<PartnerChange> changes) {
    changes.forEach(change -> partnerAcknowledged.reached(change.time()));
  }

  public void retried() {
    retried.increment();
  }

  public void deadLettered(int users) {
    deadLettered.increment(users);
  }

  public void noPartnerId() {
    noPartnerId.increment();
  }

  public void lag(long records) {
    lag.set(records);
  }

  /** The counts so far, for the destination's status. */
  public Counts counts() {
    return new Counts(
        (long) delivered.count(),
        (long) retried.count(),
        (long) deadLettered.count(),
        (long) noPartnerId.count(),
        lag.get(),
        latency());
  }

  /** A destination's counts, and how long its deliveries took. */
  public record Counts(
      long delivered,
      long retried,
      long deadLettered,
      long noPartnerId,
      long lag,
      Latency latency) {}

  /**
   * How long deliveries took: how many, their mean and longest, and how many fell in each bucket of
   * the timer's histogram (by the bucket's upper bound in milliseconds), up to the bucket of the
   * longest.
   */
  @SuppressWarnings("ArrayRecordComponent") // A snapshot handed to JSON, never compared.
  public record Latency(long count, double meanMs, double maxMs, double[][] buckets) {}

  private Latency latency() {
    HistogramSnapshot snapshot = latency.takeSnapshot();
    List<double[]> buckets = new ArrayList<>();
    double below = 0;
    for (CountAtBucket bucket : snapshot.histogramCounts()) {
      if (below >= snapshot.count()) {
        break;
      }
      buckets.add(new double[] {bucket.bucket(TimeUnit.MILLISECONDS), bucket.count() - below});
      below = bucket.count();
    }
    return new Latency(
        snapshot.count(),
        snapshot.mean(TimeUnit.MILLISECONDS),
        snapshot.max(TimeUnit.MILLISECONDS),
        buckets.toArray(double[][]::new));
  }

  @Override
  public void close() {
    meters.forEach(registry::remove);
  }
}
