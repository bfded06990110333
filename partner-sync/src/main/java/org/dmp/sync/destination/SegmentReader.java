package org.dmp.sync.destination;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.dmp.avro.Destination;
import org.dmp.avro.ProfileUpdate;
import org.dmp.schemas.serde.RecordDecodingException;
import org.dmp.sync.PartnerSyncConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the segment topic for one destination, in the destination's own consumer group, on a
 * thread of its own: a destination that waits on its partner waits alone. Work handed over from
 * other threads runs between polls, so the consumer is only ever touched by this thread.
 */
public abstract class SegmentReader implements ConsumerRebalanceListener, DestinationWorker {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentReader.class);
  private static final long LAG_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();

  protected final Destination destination;
  protected final PartnerSyncConfig config;
  protected final Vertx vertx;
  /** Where the destination's HTTP calls and timers run, and where stopping completes. */
  protected final Context context;
  protected final DestinationMeters meters;
  protected final DestinationMapping mapping;
  protected final KafkaConsumer<String, byte[]> consumer;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private volatile boolean stopping;
  private volatile String failure;
  private long lagCheckedNanos;

  protected SegmentReader(Destination destination, PartnerSyncConfig config, Vertx vertx, DestinationMeters meters,
      Map<String, Object> extraConsumerSettings) {
    this.destination = destination;
    this.config = config;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.meters = meters;
    this.mapping = new DestinationMapping(destination);
    Map<String, Object> settings = new HashMap<>();
    settings.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupOf(destination.getId()));
    settings.put(ConsumerConfig.CLIENT_ID_CONFIG, config.groupOf(destination.getId()) + "-" + config.instanceId());
    // Static membership: a restarted instance takes its partitions back at once, not after the dead one's session expires.
    settings.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.groupOf(destination.getId()) + "-" + config.instanceId());
    // The qualifier writes in transactions: only committed changes are delivered.
    settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, config.startFromEarliest() ? "earliest" : "latest");
    // A fetch answered once 16 KB or 10 ms are there, not at every change: changes are batched for
    // the partner anyway, and a fetch per change cost more CPU than the change.
    settings.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 16 * 1024);
    settings.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    settings.putAll(extraConsumerSettings);
    this.consumer = config.common().kafka().consumer(settings, new StringDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public final Destination destination() {
    return destination;
  }

  /** The destination's status: FAILED if the reader stopped on its own, else RETRYING while a delivery is failing, else UP. */
  protected final DestinationStatus status(boolean retrying, String lastFailure) {
    String type = DestinationStatus.typeOf(destination);
    if (failure != null) {
      return new DestinationStatus(destination.getId(), destination.getName(), type, DestinationStatus.FAILED, failure, meters.counts());
    }
    return new DestinationStatus(destination.getId(), destination.getName(), type, retrying ? DestinationStatus.RETRYING : DestinationStatus.UP,
        retrying ? lastFailure : null, meters.counts());
  }

  /** Starts the reading thread. */
  public final void startReading() {
    Thread thread = new Thread(this::run, "partner-sync-" + destination.getId());
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Stops reading; once the consumer is closed, frees what {@link #release()} frees and removes
   * the destination's meters.
   */
  @Override
  public final Future<Void> stop() {
    stopping = true;
    return Future.fromCompletionStage(stopped, context).onComplete(done -> {
      release();
      meters.close();
    });
  }

  /** Frees what the destination holds besides its consumer, after the consumer is closed. */
  protected void release() {}

  /** Runs {@code task} on the reading thread, between polls. */
  protected final void onReadingThread(Runnable task) {
    tasks.add(task);
  }

  protected final boolean stopping() {
    return stopping;
  }

  /** One round: poll, and act on what came. */
  protected abstract void round();

  /** Called on the reading thread before the consumer closes, also after a failure. */
  protected void beforeClose() {}

  /** The change this record means for the destination; null when none (counted when it lacks a partner id). */
  protected final PartnerChange changeOf(ConsumerRecord<String, byte[]> record) {
    ProfileUpdate update = updateOf(record);
    if (update == null) {
      return null;
    }
    if (update.getCauseEventId() != null) {
      meters.updateRead(update.getTime());
    }
    DestinationMapping.Result result = mapping.map(update);
    if (result.skipped().filter(reason -> reason == DestinationMapping.Skip.NO_PARTNER_ID).isPresent()) {
      meters.noPartnerId();
    }
    return result.change().orElse(null);
  }

  /** The record's update; null for a tombstone or a record that does not decode (logged: the qualifier wrote it, so it is a bug). */
  protected final ProfileUpdate updateOf(ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      return null;
    }
    try {
      return config.common().topics().segments().values().decode(record.topic(), record.value());
    } catch (RecordDecodingException e) {
      LOG.error("Destination {}: skipping {}-{}@{}, which does not decode: {}", destination.getId(), record.topic(), record.partition(),
          record.offset(), e.getMessage());
      return null;
    }
  }

  private void run() {
    try {
      consumer.subscribe(List.of(config.common().topics().segments().name()), this);
      while (!stopping) {
        for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
          task.run();
        }
        round();
        measureLag();
      }
    } catch (RuntimeException e) {
      failure = e.toString();
      LOG.error("Destination {} stopped reading", destination.getId(), e);
    } finally {
      try {
        beforeClose();
      } catch (RuntimeException e) {
        LOG.warn("Destination {}: closing failed", destination.getId(), e);
      }
      try {
        consumer.close(Duration.ofSeconds(10));
      } catch (RuntimeException e) {
        LOG.warn("Destination {}: closing its consumer failed", destination.getId(), e);
      }
      stopped.complete(null);
    }
  }

  private void measureLag() {
    long now = System.nanoTime();
    if (now - lagCheckedNanos < LAG_INTERVAL_NANOS) {
      return;
    }
    lagCheckedNanos = now;
    long lag = 0;
    for (TopicPartition partition : consumer.assignment()) {
      lag += consumer.currentLag(partition).orElse(0);
    }
    meters.lag(lag);
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
}
