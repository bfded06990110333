package org.dmp.runtime.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a whole topic from its beginning and then follows it, on a thread of its own, handing every
 * record to a handler: how a service keeps a compacted topic (the taxonomy, the id map) as a table
 * in memory. It joins no consumer group and commits nothing, since each start reads everything.
 *
 * <p>The handler runs on the follower's thread, so what it updates must be safe to read from others
 * (a concurrent map, an immutable snapshot swapped atomically).
 *
 * <p>Starting and stopping never block the caller, which may be an event loop: the consumer is
 * created, used and closed on the follower's thread.
 */
public final class TopicFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);
  private static final Duration POLL = Duration.ofMillis(500);

  private final String topic;
  private final KafkaClients kafka;
  private final Map<String, Object> settings;
  private final Consumer<ConsumerRecord<String, byte[]>> handler;
  private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private final Thread thread;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private volatile boolean running = true;

  private TopicFollower(
      String name,
      KafkaClients kafka,
      String topic,
      Consumer<ConsumerRecord<String, byte[]>> handler) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.handler = Objects.requireNonNull(handler, "handler");
    this.kafka = Objects.requireNonNull(kafka, "kafka");
    this.settings =
        Map.of(
            ConsumerConfig.CLIENT_ID_CONFIG,
            name,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false,
            ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
            false,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed");
    this.thread = new Thread(this::run, name);
    this.thread.setDaemon(true);
  }

  /** Starts following {@code topic}; see {@link #caughtUp()} for when its past has been read. */
  public static TopicFollower start(
      String name,
      KafkaClients kafka,
      String topic,
      Consumer<ConsumerRecord<String, byte[]>> handler) {
    TopicFollower follower = new TopicFollower(name, kafka, topic, handler);
    follower.thread.start();
    return follower;
  }

  /** Completes once every record that was in the topic when following began has been handled. */
  public CompletableFuture<Void> caughtUp() {
    return caughtUp;
  }

  private void run() {
    try {
      consumer = kafka.consumer(settings, new StringDeserializer(), new ByteArrayDeserializer());
      List<TopicPartition> partitions = awaitPartitions();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      while (running) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
          handle(record);
        }
        if (!caughtUp.isDone()
            && ends.entrySet().stream()
                .allMatch(end -> consumer.position(end.getKey()) >= end.getValue())) {
          LOG.info("Read {} up to its end at start {}; following it", topic, ends.values());
          caughtUp.complete(null);
        }
      }
    } catch (WakeupException stopping) {
      // close() asked us to stop.
    } catch (RuntimeException e) {
      LOG.error("Stopped following {}", topic, e);
      caughtUp.completeExceptionally(e);
    } finally {
      if (consumer != null) {
        consumer.close(CloseOptions.timeout(Duration.ZERO));
      }
      stopped.complete(null);
    }
  }

  private void handle(ConsumerRecord<String, byte[]> record) {
    try {
      handler.accept(record);
    } catch (RuntimeException e) {
      LOG.error(
          "Skipped record {}-{}@{} (key {}): {}",
          record.topic(),
          record.partition(),
          record.offset(),
          record.key(),
          e.getMessage());
    }
  }

  /** The topic's partitions, once it exists; a topic that does not exist yet counts as read. */
  private List<TopicPartition> awaitPartitions() {
    while (running) {
      List<PartitionInfo> infos;
      try {
        infos = consumer.partitionsFor(topic, POLL);
      } catch (TimeoutException unreachable) {
        continue;
      }
      if (infos != null && !infos.isEmpty()) {
        return infos.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
      }
      if (!caughtUp.isDone()) {
        LOG.info("{} does not exist yet: following it once it does", topic);
        caughtUp.complete(null);
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new WakeupException();
      }
    }
    throw new WakeupException();
  }

  /** Asks the follower to stop, without waiting; completes once its consumer is closed. */
  public CompletableFuture<Void> stop() {
    running = false;
    KafkaConsumer<String, byte[]> reading = consumer;
    if (reading != null) {
      reading.wakeup();
    }
    return stopped;
  }

  /** Stops, and waits up to 10 s for the consumer to close: for callers that may block. */
  @Override
  public void close() {
    try {
      stop().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.warn("Following {} did not stop within 10 s: {}", topic, e.toString());
    }
  }
}
