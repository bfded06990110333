package org.dmp.sync.destination;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.dmp.avro.Destination;
import org.dmp.avro.ProfileUpdate;
import org.dmp.runtime.kafka.Rejections;
import org.dmp.schemas.serde.RecordDecodingException;
import org.dmp.schemas.topics.TopicRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the segment topic for one destination, in the destination's own consumer group, on a thread
 * of its own, and hands what it reads to the destination's {@link DestinationChannel}: a
 * destination that waits on its partner waits alone. Work handed over from other threads runs
 * between polls, so the consumer is only ever touched by this thread.
 */
public final class DestinationConsumer
    implements DestinationWorker, ChannelHost, ConsumerRebalanceListener {
  private static final Logger LOG = LoggerFactory.getLogger(DestinationConsumer.class);
  private static final long LAG_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final Destination destination;
  private final ReadingSettings reading;
  private final Vertx vertx;
  private final Context context;
  private final DestinationMeters meters;
  private final DestinationMapping mapping;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Rejections rejections;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();

  /** Set once, before the reading thread starts. */
  private DestinationChannel channel;

  private volatile boolean stopping;
  private volatile String failure;
  private long lagCheckedNanos;

  private DestinationConsumer(
      Destination destination,
      ReadingSettings reading,
      Vertx vertx,
      MeterRegistry registry,
      Map<String, Object> channelSettings) {
    this.destination = destination;
    this.reading = reading;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.mapping = new DestinationMapping(destination);
    Map<String, Object> settings = new HashMap<>();
    settings.put(ConsumerConfig.GROUP_ID_CONFIG, reading.groupOf(destination.getId()));
    settings.put(ConsumerConfig.CLIENT_ID_CONFIG, reading.memberOf(destination.getId()));
    // Static membership: a restarted instance takes its partitions back at once, not after the dead
    // one's session expires.
    settings.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, reading.memberOf(destination.getId()));
    // The qualifier writes in transactions: only committed changes are delivered.
    settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    settings.put(
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
        reading.startFromEarliest() ? "earliest" : "latest");
    // A fetch answered once 16 KB or 10 ms are there, not at every change: changes are batched for
    // the partner anyway, and a fetch per change cost more CPU than the change.
    settings.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 16 * 1024);
    settings.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    settings.putAll(channelSettings);
    this.consumer =
        reading.kafka().consumer(settings, new StringDeserializer(), new ByteArrayDeserializer());
    this.meters =
        new DestinationMeters(registry, destination.getId(), DestinationStatus.typeOf(destination));
    this.rejections =
        new Rejections(
            reading.kafka(),
            reading.topics().name(TopicRole.VISITS_REJECTED),
            reading.memberOf(destination.getId()));
  }

  /**
   * Starts reading for {@code destination} with the channel {@code channelOf} builds. Blocks while
   * the consumer is created: call it off the event loop.
   *
   * @param channelSettings consumer settings the channel needs beyond the common ones
   */
  public static DestinationConsumer start(
      Destination destination,
      ReadingSettings reading,
      Vertx vertx,
      MeterRegistry registry,
      Map<String, Object> channelSettings,
      Function<ChannelHost, DestinationChannel> channelOf) {
    DestinationConsumer host =
        new DestinationConsumer(destination, reading, vertx, registry, channelSettings);
    try {
      host.channel = channelOf.apply(host);
    } catch (RuntimeException e) {
      host.consumer.close(CloseOptions.timeout(Duration.ZERO));
      host.meters.close();
      throw e;
    }
    Thread thread = new Thread(host::run, "partner-sync-" + destination.getId());
    thread.setDaemon(true);
    thread.start();
    return host;
  }

  @Override
  public Destination destination() {
    return destination;
  }

  /**
   * FAILED if reading stopped on its own, else RETRYING while the channel reports a failure, else
   * UP (with what it waits for).
   */
  @Override
  public DestinationStatus status() {
    String type = DestinationStatus.typeOf(destination);
    if (failure != null) {
      return new DestinationStatus(
          destination.getId(),
          destination.getName(),
          type,
          DestinationStatus.FAILED,
          failure,
          meters.counts(),
          channel == null ? null : channel.recentFiles().orElse(null));
    }
    Optional<String> failing = channel.failing();
    return new DestinationStatus(
        destination.getId(),
        destination.getName(),
        type,
        failing.isPresent() ? DestinationStatus.RETRYING : DestinationStatus.UP,
        failing.or(channel::waitingFor).orElse(null),
        meters.counts(),
        channel.recentFiles().orElse(null));
  }

  /**
   * Stops reading; once the consumer is closed, releases the channel and removes the destination's
   * meters.
   */
  @Override
  public Future<Void> stop() {
    stopping = true;
    return Future.fromCompletionStage(stopped, context)
        .onComplete(
            done -> {
              channel.release();
              meters.close();
            });
  }

  @Override
  public KafkaConsumer<String, byte[]> consumer() {
    return consumer;
  }

  @Override
  public DestinationMeters meters() {
    return meters;
  }

  @Override
  public DestinationMapping mapping() {
    return mapping;
  }

  @Override
  public ReadingSettings reading() {
    return reading;
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public Context context() {
    return context;
  }

  @Override
  public void onReadingThread(Runnable task) {
    tasks.add(task);
  }

  @Override
  public boolean stopping() {
    return stopping;
  }

  @Override
  public PartnerChange changeOf(ConsumerRecord<String, byte[]> record) {
    ProfileUpdate update = updateOf(record);
    if (update == null) {
      return null;
    }
    DestinationMapping.Result result = mapping.map(update);
    if (result
        .skipped()
        .filter(reason -> reason == DestinationMapping.Skip.NO_PARTNER_ID)
        .isPresent()) {
      meters.noPartnerId();
    }
    return result.change().orElse(null);
  }

  @Override
  public ProfileUpdate updateOf(ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      return null;
    }
    try {
      ProfileUpdate update =
          reading.topics().segments().values().decode(record.topic(), record.value());
      if (update.getCauseEventId() != null) {
        meters.updateRead(update.getTime());
      }
      return update;
    } catch (RecordDecodingException e) {
      // Set aside before the offset past it can be committed; the destination goes on.
      rejections.reject(record, "it cannot be read: " + e.getMessage());
      return null;
    }
  }

  @Override
  public void seekToStart(TopicPartition partition) {
    if (reading.startFromEarliest()) {
      consumer.seekToBeginning(List.of(partition));
    } else {
      consumer.seekToEnd(List.of(partition));
    }
  }

  private void run() {
    try {
      consumer.subscribe(List.of(reading.topics().segments().name()), this);
      while (!stopping) {
        for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
          task.run();
        }
        channel.round();
        measureLag();
      }
    } catch (RuntimeException e) {
      failure = e.toString();
      LOG.error("Destination {} stopped reading", destination.getId(), e);
    } finally {
      try {
        channel.beforeClose();
      } catch (RuntimeException e) {
        LOG.warn("Destination {}: closing failed", destination.getId(), e);
      }
      try {
        consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
      } catch (RuntimeException e) {
        LOG.warn("Destination {}: closing its consumer failed", destination.getId(), e);
      }
      rejections.close();
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
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    channel.revoked(partitions);
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    channel.assigned(partitions);
  }
}
