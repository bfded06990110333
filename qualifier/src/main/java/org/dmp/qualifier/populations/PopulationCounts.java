package org.dmp.qualifier.populations;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.dmp.avro.Population;
import org.dmp.avro.PopulationBucket;
import org.dmp.avro.PopulationKind;

/**
 * One partition's population counts, as its changes stream by: per hour of event time, each
 * population's joins and leaves. Every {@code qualifier.populations-every} of wall-clock time it
 * writes the populations that changed to dmp.populations, keyed by population and partition, with
 * their members now and their hours and days, so readers add the partitions up; a visitor's changes
 * all come through one partition.
 *
 * <p>Changes are added up in memory and written to the store, committed like the profiles, with the
 * populations: writing each change would make every population a commit touched a changelog record,
 * and with thousands of traits that more than halved the qualifier's throughput. The price: a
 * process killed in between loses the changes counted since the last writing whose input offsets
 * were committed meanwhile, up to one interval's joins and leaves, from the counts (never from
 * profiles or deliveries). A graceful stop, or a task moving to another instance, writes them
 * first. What was changed but not written when a task stopped is written at its first punctuation:
 * it writes every population of the store once.
 *
 * <p>Store layout: {@code <population>|h|<hour start>} the joins and leaves of an hour as {@code
 * "joins,leaves"}. When a population has more hours than it keeps, the oldest are folded at writing
 * time into {@code <population>|d|<day start>} and into {@code <population>|b}, the members before
 * the hours kept. Starts are zero-padded so that byte order is time order.
 */
public final class PopulationCounts {
  /**
   * Hours kept: two days. Each population's record carries them all, and every writing sends every
   * population that changed: with thousands of traits, records of a week of hours cost the
   * qualifier more than counting did.
   */
  static final int HOURS_KEPT = 48;

  /** Days kept: about three months. */
  static final int DAYS_KEPT = 90;

  private static final String HOURS = "|h|";
  private static final String DAYS = "|d|";
  private static final String BASELINE = "|b";
  private static final long HOUR_MILLIS = 3_600_000;

  /** An hour of one population. */
  private record Hour(PopulationKind kind, long id, long start) {
    String population() {
      return new PopulationChange(kind, id, 0).population();
    }
  }

  private final KeyValueStore<String, String> counts;
  private final int partition;

  /** Joins and leaves not yet in the store. */
  private final Map<Hour, long[]> pending = new HashMap<>();

  private boolean writtenSinceStart;

  /**
   * @param counts the store, one processor's alone
   * @param partition the task's partition, named in what is written
   */
  public PopulationCounts(KeyValueStore<String, String> counts, int partition) {
    this.counts = counts;
    this.partition = partition;
  }

  /** A visitor joined ({@code delta} 1) or left (-1) a population at {@code timeMillis}. */
  public void count(PopulationKind kind, long id, long timeMillis, int delta) {
    long hour = Math.floorDiv(timeMillis, HOUR_MILLIS) * HOUR_MILLIS;
    pending.computeIfAbsent(new Hour(kind, id, hour), any -> new long[2])[delta > 0 ? 0 : 1] +=
        Math.abs(delta);
  }

  /**
   * Puts what was counted into the store, and hands {@code out} each population that changed, keyed
   * by population and partition (all of them, the first time).
   */
  public void write(long now, BiConsumer<String, Population> out) {
    Set<String> changed = new HashSet<>();
    pending.keySet().forEach(hour -> changed.add(hour.population()));
    writePending();
    if (!writtenSinceStart) {
      // What changed before a restart may not have been written: write everything once.
      try (KeyValueIterator<String, String> all = counts.all()) {
        all.forEachRemaining(entry -> changed.add(entry.key.substring(0, entry.key.indexOf('|'))));
      }
      writtenSinceStart = true;
    }
    for (String population : changed) {
      out.accept(
          population + "/" + partition,
          counted(population, PopulationChange.named(population), now));
    }
  }

  /** Puts what was counted into the store: at a graceful stop, or when the task moves. */
  public void writePending() {
    pending.forEach(
        (hour, delta) -> {
          String key = hour.population() + HOURS + padded(Instant.ofEpochMilli(hour.start()));
          long[] joinsLeaves = joinsLeaves(counts.get(key));
          counts.put(key, (joinsLeaves[0] + delta[0]) + "," + (joinsLeaves[1] + delta[1]));
        });
    pending.clear();
  }

  private Population counted(String population, PopulationChange named, long now) {
    List<KeyValue<String, String>> hours = range(population + HOURS);
    String baselineKey = population + BASELINE;
    long baseline = parsedOrZero(counts.get(baselineKey));
    int folded = Math.max(0, hours.size() - HOURS_KEPT);
    for (KeyValue<String, String> hour : hours.subList(0, folded)) {
      long[] joinsLeaves = joinsLeaves(hour.value);
      Instant start = startOf(hour.key, population + HOURS);
      String day = population + DAYS + padded(start.truncatedTo(ChronoUnit.DAYS));
      long[] dayJoinsLeaves = joinsLeaves(counts.get(day));
      counts.put(
          day, (dayJoinsLeaves[0] + joinsLeaves[0]) + "," + (dayJoinsLeaves[1] + joinsLeaves[1]));
      baseline += joinsLeaves[0] - joinsLeaves[1];
      counts.delete(hour.key);
    }
    if (folded > 0) {
      counts.put(baselineKey, Long.toString(baseline));
    }
    List<KeyValue<String, String>> kept = hours.subList(folded, hours.size());
    long members = baseline;
    TreeMap<Instant, long[]> days = new TreeMap<>();
    for (KeyValue<String, String> day : range(population + DAYS)) {
      days.put(startOf(day.key, population + DAYS), joinsLeaves(day.value));
    }
    List<Instant> hourStarts = new ArrayList<>();
    List<long[]> hourCounts = new ArrayList<>();
    for (KeyValue<String, String> hour : kept) {
      Instant start = startOf(hour.key, population + HOURS);
      long[] joinsLeaves = joinsLeaves(hour.value);
      hourStarts.add(start);
      hourCounts.add(joinsLeaves);
      members += joinsLeaves[0] - joinsLeaves[1];
      long[] day = days.computeIfAbsent(start.truncatedTo(ChronoUnit.DAYS), any -> new long[2]);
      day[0] += joinsLeaves[0];
      day[1] += joinsLeaves[1];
    }
    // Days beyond those kept are in the baseline already.
    while (days.size() > DAYS_KEPT) {
      Instant oldest = days.pollFirstEntry().getKey();
      counts.delete(population + DAYS + padded(oldest));
    }
    return Population.newBuilder()
        .setKind(named.kind())
        .setId(named.id())
        .setPartition(partition)
        .setMembers(members)
        .setHourly(buckets(hourStarts, hourCounts, members))
        .setDaily(buckets(List.copyOf(days.keySet()), List.copyOf(days.values()), members))
        .setCountedAt(Instant.ofEpochMilli(now))
        .build();
  }

  /** Oldest first, with the members at each one's end worked back from the members now. */
  private static List<PopulationBucket> buckets(
      List<Instant> starts, List<long[]> joinsLeaves, long membersNow) {
    PopulationBucket[] buckets = new PopulationBucket[starts.size()];
    long membersAtEnd = membersNow;
    for (int i = starts.size() - 1; i >= 0; i--) {
      long joins = joinsLeaves.get(i)[0];
      long leaves = joinsLeaves.get(i)[1];
      buckets[i] = new PopulationBucket(starts.get(i), joins, leaves, membersAtEnd);
      membersAtEnd -= joins - leaves;
    }
    return List.of(buckets);
  }

  private List<KeyValue<String, String>> range(String prefix) {
    List<KeyValue<String, String>> entries = new ArrayList<>();
    try (KeyValueIterator<String, String> range = counts.range(prefix, prefix + "\uffff")) {
      range.forEachRemaining(entries::add);
    }
    return entries;
  }

  private static Instant startOf(String key, String prefix) {
    return Instant.ofEpochMilli(Long.parseLong(key.substring(prefix.length())));
  }

  private static long[] joinsLeaves(String value) {
    if (value == null) {
      return new long[2];
    }
    int comma = value.indexOf(',');
    return new long[] {
      Long.parseLong(value, 0, comma, 10), Long.parseLong(value, comma + 1, value.length(), 10)
    };
  }

  private static long parsedOrZero(String value) {
    return value == null ? 0 : Long.parseLong(value);
  }

  private static String padded(Instant time) {
    String digits = Long.toString(time.toEpochMilli());
    return "0".repeat(Math.max(0, 13 - digits.length())) + digits;
  }
}
