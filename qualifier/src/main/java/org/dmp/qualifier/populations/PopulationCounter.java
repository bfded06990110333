package org.dmp.qualifier.populations;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.dmp.avro.Population;
import org.dmp.avro.PopulationBucket;

/**
 * Counts one partition's population changes as they stream by: each population's members now, and
 * its joins and leaves per hour and per day of event time. Every few seconds of wall-clock time it
 * writes the populations that changed to dmp.populations, keyed by population and partition, so
 * readers add the partitions up; a visitor's changes all come through one partition.
 *
 * <p>The counts live in a store committed with the changes they count, so a restart neither loses
 * nor counts twice. What was changed but not yet written when a task stopped is written again at
 * its first punctuation: it writes every population of the store once.
 *
 * <p>Store layout, small values so that a change costs three small writes: {@code <population>|m}
 * the members, {@code <population>|h|<hour start>} and {@code <population>|d|<day start>} the joins
 * and leaves as {@code "joins,leaves"}; starts are zero-padded so that byte order is time order.
 */
public final class PopulationCounter
    implements Processor<Object, PopulationChange, String, Object> {
  /** How often the changed populations are written. */
  public static final Duration WRITE_EVERY = Duration.ofSeconds(5);

  /** Hours kept: a week. */
  static final int HOURS_KEPT = 24 * 7;

  /** Days kept: about three months. */
  static final int DAYS_KEPT = 90;

  private final String storeName;
  private final String sink;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, String> counts;
  private final Set<String> changed = new HashSet<>();
  private boolean writtenSinceStart;

  /**
   * @param storeName the counts' store, this node's alone
   * @param sink where the populations are written
   */
  public PopulationCounter(String storeName, String sink) {
    this.storeName = storeName;
    this.sink = sink;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.counts = context.getStateStore(storeName);
    context.schedule(WRITE_EVERY, PunctuationType.WALL_CLOCK_TIME, this::writeChanged);
  }

  @Override
  public void process(Record<Object, PopulationChange> record) {
    PopulationChange change = record.value();
    String population = change.population();
    Instant time = Instant.ofEpochMilli(record.timestamp());
    add(population + "|m", change.delta());
    count(population + "|h|" + padded(time.truncatedTo(ChronoUnit.HOURS)), change.delta());
    count(population + "|d|" + padded(time.truncatedTo(ChronoUnit.DAYS)), change.delta());
    changed.add(population);
  }

  private void add(String key, long delta) {
    String current = counts.get(key);
    counts.put(key, Long.toString((current == null ? 0 : Long.parseLong(current)) + delta));
  }

  private void count(String key, int delta) {
    String current = counts.get(key);
    long joins = 0;
    long leaves = 0;
    if (current != null) {
      int comma = current.indexOf(',');
      joins = Long.parseLong(current, 0, comma, 10);
      leaves = Long.parseLong(current, comma + 1, current.length(), 10);
    }
    if (delta > 0) {
      joins += delta;
    } else {
      leaves -= delta;
    }
    counts.put(key, joins + "," + leaves);
  }

  private void writeChanged(long now) {
    if (!writtenSinceStart) {
      // What changed before a restart may not have been written: write everything once.
      try (KeyValueIterator<String, String> all = counts.all()) {
        all.forEachRemaining(
            entry -> {
              if (entry.key.endsWith("|m")) {
                changed.add(entry.key.substring(0, entry.key.length() - 2));
              }
            });
      }
      writtenSinceStart = true;
    }
    int partition = context.taskId().partition();
    for (String population : changed) {
      String members = counts.get(population + "|m");
      long current = members == null ? 0 : Long.parseLong(members);
      PopulationChange named = PopulationChange.named(population);
      Population counted =
          Population.newBuilder()
              .setKind(named.kind())
              .setId(named.id())
              .setPartition(partition)
              .setMembers(current)
              .setHourly(buckets(population + "|h|", HOURS_KEPT, current))
              .setDaily(buckets(population + "|d|", DAYS_KEPT, current))
              .setCountedAt(Instant.ofEpochMilli(now))
              .build();
      context.forward(new Record<>(population + "/" + partition, counted, now), sink);
    }
    changed.clear();
  }

  /**
   * The latest {@code kept} buckets under {@code prefix}, oldest first, with the members at each
   * one's end worked back from the members now; older ones are deleted.
   */
  private List<PopulationBucket> buckets(String prefix, int kept, long membersNow) {
    List<KeyValue<String, String>> entries = new ArrayList<>();
    try (KeyValueIterator<String, String> range = counts.range(prefix, prefix + "\uffff")) {
      range.forEachRemaining(entries::add);
    }
    int dropped = Math.max(0, entries.size() - kept);
    entries.subList(0, dropped).forEach(entry -> counts.delete(entry.key));
    List<KeyValue<String, String>> latest = entries.subList(dropped, entries.size());
    PopulationBucket[] buckets = new PopulationBucket[latest.size()];
    long membersAtEnd = membersNow;
    for (int i = latest.size() - 1; i >= 0; i--) {
      KeyValue<String, String> entry = latest.get(i);
      String[] joinsLeaves = entry.value.split(",");
      long joins = Long.parseLong(joinsLeaves[0]);
      long leaves = Long.parseLong(joinsLeaves[1]);
      buckets[i] =
          new PopulationBucket(
              Instant.ofEpochMilli(Long.parseLong(entry.key.substring(prefix.length()))),
              joins,
              leaves,
              membersAtEnd);
      membersAtEnd -= joins - leaves;
    }
    return List.of(buckets);
  }

  private static String padded(Instant time) {
    String digits = Long.toString(time.toEpochMilli());
    return "0".repeat(Math.max(0, 13 - digits.length())) + digits;
  }
}
