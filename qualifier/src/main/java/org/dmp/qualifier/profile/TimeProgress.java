package org.dmp.qualifier.profile;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;

/**
 * How far event time has come on each visits partition this instance processes, and how many events
 * arrived late: the stream threads write it, the metrics and the status read it.
 *
 * <p>Time moves on for every profile of a partition only up to the partition's time less the grace,
 * so that an event up to that much older than the newest record still counts as on time: several
 * edges (and the ticker) stamp times with clocks that differ slightly.
 */
public final class TimeProgress {
  private final Duration grace;
  private final IntConsumer firstSeen;
  private final Map<Integer, Long> partitionTimes = new ConcurrentHashMap<>();
  private final LongAdder lateEvents = new LongAdder();

  /**
   * @param firstSeen told each partition the first time its time is known here, to register its
   *     meters
   */
  public TimeProgress(Duration grace, IntConsumer firstSeen) {
    if (grace.isNegative()) {
      throw new IllegalArgumentException("a negative grace: " + grace);
    }
    this.grace = grace;
    this.firstSeen = Objects.requireNonNull(firstSeen, "firstSeen");
  }

  /** Nothing reads it: for topologies whose progress nobody watches. */
  public static TimeProgress unwatched(Duration grace) {
    return new TimeProgress(grace, partition -> {});
  }

  public Duration grace() {
    return grace;
  }

  /** The event time (epoch ms) each partition processed here has reached. */
  public Map<Integer, Long> partitionTimes() {
    return Map.copyOf(partitionTimes);
  }

  /** Events that came later than the grace allows, since this instance started. */
  public long lateEvents() {
    return lateEvents.sum();
  }

  void reached(int partition, long streamTime) {
    if (partitionTimes.put(partition, streamTime) == null) {
      firstSeen.accept(partition);
    }
  }

  /** The partition's task is closed here: another instance, or a later task, owns its time. */
  void released(int partition) {
    partitionTimes.remove(partition);
  }

  void late() {
    lateEvents.increment();
  }
}
