package org.dmp.qualifier.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.dmp.avro.VisitEvent;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.Ticks;
import org.dmp.schemas.topics.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a tick to every partition of the visits topic at a steady interval, on a thread of its own
 * (a send may block on metadata). A lost tick only delays time until the next; a tick read twice
 * moves time nowhere new, so the ticks need no transaction.
 */
public final class Ticker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Ticker.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final KafkaProducer<String, VisitEvent> producer;
  private final String topic;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final AtomicBoolean failing = new AtomicBoolean();

  private Ticker(KafkaProducer<String, VisitEvent> producer, String topic, Clock clock) {
    this.producer = producer;
    this.topic = topic;
    this.clock = clock;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "dmp-ticker");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Starts ticking every {@code interval} on {@code visits}, with times from {@code clock}. */
  public static Ticker start(
      KafkaClients kafka, Topic<String, VisitEvent> visits, Duration interval, Clock clock) {
    KafkaProducer<String, VisitEvent> producer =
        kafka.producer(
            Map.of(
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.LINGER_MS_CONFIG,
                0,
                // A tick that waits longer than its interval is stale: the next one replaces it.
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                (int) Math.max(1_000, interval.toMillis()),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                30_000),
            visits.keys().serializer(),
            visits.values().serializer());
    Ticker ticker = new Ticker(producer, visits.name(), clock);
    ticker.scheduler.scheduleAtFixedRate(
        ticker::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return ticker;
  }

  private void tick() {
    try {
      Instant now = clock.instant();
      VisitEvent tick = Ticks.at(now);
      for (PartitionInfo partition : producer.partitionsFor(topic)) {
        producer.send(
            new ProducerRecord<>(topic, partition.partition(), now.toEpochMilli(), null, tick),
            (metadata, failure) -> noteOutcome(failure));
      }
    } catch (RuntimeException failure) {
      // The scheduler would stop the ticks for good on an exception.
      noteOutcome(failure);
    }
  }

  /** Logs the first failure of a run of them, and the recovery, not every tick in between. */
  private void noteOutcome(Exception failure) {
    if (failure == null) {
      if (failing.compareAndSet(true, false)) {
        LOG.info("Ticks reach {} again", topic);
      }
    } else if (failing.compareAndSet(false, true)) {
      LOG.warn(
          "Ticks cannot be written to {}: time stands still on quiet partitions", topic, failure);
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(CLOSE_TIMEOUT);
  }
}
