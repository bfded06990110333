package org.dmp.cli.replay;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.dmp.avro.EventSource;
import org.dmp.avro.ReplayCorrection;
import org.dmp.avro.VisitEvent;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.topics.Topics;

/**
 * Writes corrections for the live qualifier to apply, and waits until it has. Each is a REPLAY
 * event on the visits topic, keyed by its visitor, so the qualifier stays the one writer of every
 * profile, and a correction is applied in the visitor's own order of events: after everything the
 * visitor did before it was written, before everything after.
 */
final class Corrections implements AutoCloseable {
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration POLL_EVERY = Duration.ofMillis(500);

  private final KafkaClients kafka;
  private final Topics topics;
  private final String name;
  private final KafkaProducer<String, VisitEvent> producer;
  private final Map<Integer, LongList> offsets = new TreeMap<>();
  private final AtomicReference<Exception> notWritten = new AtomicReference<>();
  private long sent;

  /**
   * @param name the run or backfill the corrections come from: with the visitor id it identifies
   *     each, to partners too
   */
  Corrections(KafkaClients kafka, Topics topics, String name) {
    this.kafka = kafka;
    this.topics = topics;
    this.name = name;
    this.producer =
        kafka.producer(
            Map.of(ProducerConfig.ACKS_CONFIG, "all"),
            topics.visits().keys().serializer(),
            topics.visits().values().serializer());
  }

  /** Ids as inclusive ranges (first, last, first, last, ...), as a correction carries traits. */
  static List<Long> ranges(List<Long> ids) {
    List<Long> sorted = ids.stream().sorted().distinct().toList();
    List<Long> ranges = new ArrayList<>();
    for (long id : sorted) {
      int last = ranges.size() - 1;
      if (last > 0 && ranges.get(last) == id - 1) {
        ranges.set(last, id);
      } else {
        ranges.add(id);
        ranges.add(id);
      }
    }
    return ranges;
  }

  /**
   * @param time the correction's event time: the time the replay judged the visitor at, or their
   *     latest change; older than the partition's time, it moves no one's time on
   */
  void write(String visitorId, Instant time, ReplayCorrection correction) {
    VisitEvent event =
        VisitEvent.newBuilder()
            .setEventId(correction.getRun() + ":" + visitorId)
            .setVisitorId(visitorId)
            .setTime(time)
            .setSource(EventSource.REPLAY)
            .setCorrection(correction)
            .build();
    sent++;
    producer.send(
        new ProducerRecord<>(topics.visits().name(), null, time.toEpochMilli(), visitorId, event),
        (metadata, failure) -> {
          if (failure != null) {
            notWritten.compareAndSet(null, failure);
            return;
          }
          synchronized (offsets) {
            offsets
                .computeIfAbsent(metadata.partition(), partition -> new LongList())
                .add(metadata.offset());
          }
        });
  }

  /**
   * Waits until every correction is written.
   *
   * @return how many were
   * @throws IllegalStateException when one could not be: writing them all again is harmless
   */
  long flush() {
    producer.flush();
    if (notWritten.get() != null) {
      throw new IllegalStateException(
          "could not write the corrections to " + topics.visits().name(), notWritten.get());
    }
    return sent;
  }

  /**
   * Waits until the qualifier's committed offsets are past every correction written, reporting
   * progress as it goes.
   *
   * @param qualifier the live qualifier's application id (its consumer group)
   * @return true once all are applied; false when {@code limit} passed first
   */
  boolean awaitApplied(String qualifier, Duration limit, Progress progress, Clock clock)
      throws Exception {
    Instant start = clock.instant();
    Instant deadline = start.plus(limit);
    try (Admin admin = kafka.admin(Map.of())) {
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin
                .listConsumerGroupOffsets(qualifier)
                .partitionsToOffsetAndMetadata()
                .get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        long applied = applied(committed);
        progress.report(
            name, Progress.Stage.APPLYING, applied, sent, Duration.between(start, clock.instant()));
        if (applied >= sent) {
          return true;
        }
        if (clock.instant().isAfter(deadline)) {
          return false;
        }
        Thread.sleep(POLL_EVERY.toMillis());
      }
    }
  }

  /** How many corrections lie before the committed offsets: processed, their results written. */
  private long applied(Map<TopicPartition, OffsetAndMetadata> committed) {
    Map<Integer, Long> next = new HashMap<>();
    committed.forEach(
        (partition, offset) -> {
          if (offset != null && partition.topic().equals(topics.visits().name())) {
            next.put(partition.partition(), offset.offset());
          }
        });
    long applied = 0;
    synchronized (offsets) {
      for (Map.Entry<Integer, LongList> written : offsets.entrySet()) {
        applied += written.getValue().countBelow(next.getOrDefault(written.getKey(), 0L));
      }
    }
    return applied;
  }

  @Override
  public void close() {
    producer.close(KAFKA_TIMEOUT);
  }

  /** Offsets as written, ascending within a partition. */
  private static final class LongList {
    private long[] values = new long[16];
    private int size;

    void add(long value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    long countBelow(long bound) {
      int at = Arrays.binarySearch(values, 0, size, bound);
      return at >= 0 ? at : -at - 1;
    }
  }
}
