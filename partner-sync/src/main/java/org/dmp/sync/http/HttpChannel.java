package org.dmp.sync.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.dmp.avro.DeadLetter;
import org.dmp.avro.DeliveryChannel;
import org.dmp.avro.DeliveryOutcome;
import org.dmp.avro.Destination;
import org.dmp.avro.HttpTarget;
import org.dmp.sync.delivery.RetryPolicy;
import org.dmp.sync.destination.ChannelHost;
import org.dmp.sync.destination.DestinationChannel;
import org.dmp.sync.destination.DestinationConsumer;
import org.dmp.sync.destination.DestinationWorker;
import org.dmp.sync.destination.PartnerChange;
import org.dmp.sync.destination.ReadingSettings;
import org.dmp.sync.record.AttemptLog;
import org.dmp.sync.record.DeliveryRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The http channel: changes go out as Audience Manager real-time POSTs, retried with backoff,
 * dead-lettered when they cannot be delivered, and every attempt recorded. An offset is committed
 * only when every change before it is delivered or dead-lettered.
 *
 * <p>Composed of a batcher per partition ({@link PartitionBatches}), a {@link HttpSender}, a {@link
 * FailurePolicy} and an {@link OutcomeRecorder}. The reading thread owns the consumer and the
 * batches; the Vert.x context sends and runs the retry timers. They hand work to each other and
 * never block each other.
 */
public final class HttpChannel implements DestinationChannel {
  private static final Logger LOG = LoggerFactory.getLogger(HttpChannel.class);
  private static final long MAX_POLL_WAIT_NANOS = Duration.ofMillis(10).toNanos();

  /**
   * While a batch is in flight its outcome comes back as a task for the reading thread, and the
   * next batch of its partition waits for it: a poll that blocked for the full wait delayed that
   * batch by up to 10 ms.
   */
  private static final long IN_FLIGHT_POLL_WAIT_NANOS = Duration.ofMillis(1).toNanos();

  private static final long COMMIT_INTERVAL_NANOS = Duration.ofMillis(200).toNanos();
  private static final Duration REWRITE_AFTER = Duration.ofSeconds(1);

  /**
   * A commit that takes longer is tried again next round; meanwhile batches wait and nothing is
   * sent unrecorded.
   */
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);

  private final ChannelHost host;
  private final Destination destination;
  private final HttpTarget target;
  private final HttpSettings settings;
  private final Optional<Signer> signer;
  private final WebClient client;
  private final HttpSender sender;
  private final FailurePolicy policy;
  private final OutcomeRecorder recorder;
  private final Clock clock;
  private final Map<TopicPartition, PartitionBatches> partitions = new HashMap<>();
  private final List<InFlight> unsent = new ArrayList<>();
  private final Set<TopicPartition> paused = new HashSet<>();
  private final AtomicInteger retrying = new AtomicInteger();
  private volatile String lastFailure;
  private boolean commitWanted;
  private long committedNanos;

  /**
   * One batch on its way: attempts so far and when the first began. Touched on the Vert.x context
   * only, once sent.
   */
  private static final class InFlight {
    final PartitionBatches owner;
    final HttpSender.Prepared prepared;
    int attempts;
    Instant firstAttempt;
    boolean retrying;

    InFlight(PartitionBatches owner, HttpSender.Prepared prepared) {
      this.owner = owner;
      this.prepared = prepared;
    }

    RealtimeBatch batch() {
      return prepared.batch();
    }
  }

  private HttpChannel(
      ChannelHost host,
      HttpSettings settings,
      RetryPolicy retry,
      AttemptLog log,
      Optional<Signer> signer,
      Clock clock) {
    this.host = host;
    this.destination = host.destination();
    this.target = destination.getHttp();
    this.settings = settings;
    this.signer = signer;
    this.clock = clock;
    this.client =
        WebClient.create(
            host.vertx(),
            new WebClientOptions()
                .setUserAgent("dmp-partner-sync")
                .setConnectTimeout((int) settings.timeout().toMillis()));
    this.sender =
        new HttpSender(
            client, target.getUrl(), signer.map(Signer::header), settings.timeout(), clock);
    // Sent on an event loop: each draw takes that thread's generator, not the one of the thread
    // that built the channel.
    this.policy = new FailurePolicy(retry, clock, () -> ThreadLocalRandom.current().nextLong());
    this.recorder =
        new OutcomeRecorder(
            log, host.vertx(), host::onReadingThread, host::stopping, REWRITE_AFTER);
  }

  /**
   * Starts delivering to {@code destination}; blocks while its consumer is created.
   *
   * @param environment where signing secrets are looked up
   * @throws IllegalArgumentException when the destination cannot run as declared (no target, no
   *     secret)
   */
  public static DestinationWorker start(
      Destination destination,
      ReadingSettings reading,
      HttpSettings settings,
      RetryPolicy retry,
      Vertx vertx,
      DeliveryRecord record,
      MeterRegistry registry,
      Function<String, Optional<String>> environment,
      Clock clock) {
    if (destination.getHttp() == null) {
      throw new IllegalArgumentException("an http destination needs a url");
    }
    Optional<Signer> signer =
        Optional.ofNullable(destination.getHttp().getSigning())
            .map(signing -> Signer.of(signing, environment));
    return DestinationConsumer.start(
        destination,
        reading,
        vertx,
        registry,
        Map.of(),
        host -> new HttpChannel(host, settings, retry, record, signer, clock));
  }

  @Override
  public Optional<String> failing() {
    return retrying.get() > 0 ? Optional.ofNullable(lastFailure) : Optional.empty();
  }

  @Override
  public void release() {
    client.close();
  }

  // ---- the reading thread ----

  @Override
  public void round() {
    KafkaConsumer<String, byte[]> consumer = host.consumer();
    long now = System.nanoTime();
    ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofNanos(pollWait(now)));
    now = System.nanoTime();
    Set<TopicPartition> heldBack = new HashSet<>();
    for (ConsumerRecord<String, byte[]> consumed : records) {
      TopicPartition partition = new TopicPartition(consumed.topic(), consumed.partition());
      PartitionBatches batches = partitions.get(partition);
      if (batches == null || heldBack.contains(partition)) {
        continue;
      }
      if (batches.full()) {
        // Read again once the batch in flight is done; the partition pauses meanwhile.
        consumer.seek(partition, consumed.offset());
        heldBack.add(partition);
        continue;
      }
      batches
          .offer(consumed.offset(), host.changeOf(consumed), now)
          .ifPresent(batch -> unsent.add(inFlight(batches, batch)));
    }
    for (PartitionBatches batches : partitions.values()) {
      batches
          .positionReached(consumer.position(batches.partition()))
          .ifPresent(batch -> unsent.add(inFlight(batches, batch)));
      batches.closeIfDue(now).ifPresent(batch -> unsent.add(inFlight(batches, batch)));
      pauseWhileFull(batches);
    }
    if (!unsent.isEmpty() || (commitWanted && now - committedNanos >= COMMIT_INTERVAL_NANOS)) {
      commitThenSend();
    }
  }

  private long pollWait(long now) {
    long wait = MAX_POLL_WAIT_NANOS;
    for (PartitionBatches batches : partitions.values()) {
      wait = Math.min(wait, batches.dueAtNanos().map(due -> due - now).orElse(wait));
      if (batches.sending()) {
        wait = Math.min(wait, IN_FLIGHT_POLL_WAIT_NANOS);
      }
    }
    return Math.max(wait, 0);
  }

  private void pauseWhileFull(PartitionBatches batches) {
    TopicPartition partition = batches.partition();
    if (batches.full() && paused.add(partition)) {
      host.consumer().pause(List.of(partition));
    } else if (!batches.full() && paused.remove(partition)) {
      host.consumer().resume(List.of(partition));
    }
  }

  private InFlight inFlight(PartitionBatches owner, RealtimeBatch batch) {
    byte[] body =
        batch.body(
            destination.getId(),
            destination.getDataSourceId(),
            target.getClientId(),
            clock.instant());
    return new InFlight(
        owner,
        new HttpSender.Prepared(batch, Buffer.buffer(body), signer.map(sign -> sign.sign(body))));
  }

  /**
   * Batches are sent only once the commit naming them is durable: that is what lets a successor
   * re-form them exactly.
   */
  private void commitThenSend() {
    Map<TopicPartition, OffsetAndMetadata> points = new HashMap<>();
    partitions.forEach((partition, batches) -> points.put(partition, batches.commitPoint()));
    try {
      host.consumer().commitSync(points, COMMIT_TIMEOUT);
    } catch (KafkaException e) {
      LOG.warn(
          "Destination {}: commit failed, tried again next round: {}",
          destination.getId(),
          e.toString());
      return;
    }
    committedNanos = System.nanoTime();
    commitWanted = false;
    for (InFlight delivery : unsent) {
      if (partitions.get(delivery.batch().partition()) == delivery.owner) {
        host.context().runOnContext(go -> attempt(delivery));
      }
    }
    unsent.clear();
  }

  @Override
  public void revoked(Collection<TopicPartition> revoked) {
    Map<TopicPartition, OffsetAndMetadata> points = new HashMap<>();
    for (TopicPartition partition : revoked) {
      PartitionBatches batches = partitions.remove(partition);
      if (batches != null) {
        points.put(partition, batches.commitPoint());
      }
      paused.remove(partition);
    }
    unsent.removeIf(delivery -> revoked.contains(delivery.batch().partition()));
    commitQuietly(points);
  }

  @Override
  public void assigned(Collection<TopicPartition> assigned) {
    KafkaConsumer<String, byte[]> consumer = host.consumer();
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(assigned));
    for (TopicPartition partition : assigned) {
      partitions.put(
          partition,
          new PartitionBatches(
              destination.getId(),
              partition,
              consumer.position(partition),
              Optional.ofNullable(committed.get(partition)),
              settings.maxUsers(),
              settings.maxWait().toNanos()));
    }
  }

  @Override
  public void beforeClose() {
    Map<TopicPartition, OffsetAndMetadata> points = new HashMap<>();
    partitions.forEach((partition, batches) -> points.put(partition, batches.commitPoint()));
    commitQuietly(points);
  }

  private void commitQuietly(Map<TopicPartition, OffsetAndMetadata> points) {
    if (points.isEmpty()) {
      return;
    }
    try {
      host.consumer().commitSync(points, COMMIT_TIMEOUT);
    } catch (KafkaException e) {
      LOG.warn(
          "Destination {}: commit failed; a successor re-sends from the last commit: {}",
          destination.getId(),
          e.toString());
    }
  }

  /** On the reading thread: the batch's offsets are done once its outcome is durable. */
  private void done(InFlight delivery) {
    if (partitions.get(delivery.batch().partition()) == delivery.owner
        && delivery.owner.complete(delivery.batch())) {
      commitWanted = true;
    }
  }

  // ---- the Vert.x context ----

  private void attempt(InFlight delivery) {
    if (host.stopping()) {
      return;
    }
    delivery.attempts++;
    if (delivery.attempts == 1) {
      delivery.firstAttempt = clock.instant();
    }
    sender.send(delivery.prepared).onSuccess(sent -> decide(delivery, sent));
  }

  private void decide(InFlight delivery, HttpSender.Sent sent) {
    FailurePolicy.Decision decision = policy.decide(sent, delivery.attempts, delivery.firstAttempt);
    if (decision instanceof FailurePolicy.Delivered) {
      host.meters().delivered(delivery.batch().visitorIds().size(), sent.took());
      host.meters().partnerAcknowledged(delivery.batch().changes());
      finish(delivery, DeliveryOutcome.DELIVERED, sent, null);
    } else if (decision instanceof FailurePolicy.Retry retry) {
      lastFailure = retry.failure();
      host.meters().retried();
      if (!delivery.retrying) {
        delivery.retrying = true;
        retrying.incrementAndGet();
      }
      recorder.retrying(
          attemptOf(
              delivery,
              DeliveryOutcome.RETRYING,
              sent,
              retry.failure() + "; next try in " + retry.delay()));
      host.vertx().setTimer(Math.max(1, retry.delay().toMillis()), timer -> attempt(delivery));
    } else if (decision instanceof FailurePolicy.GiveUp giveUp) {
      LOG.warn(
          "Destination {}: dead-lettering batch {} of {} users: {}",
          destination.getId(),
          delivery.batch().idempotencyKey(),
          delivery.batch().visitorIds().size(),
          giveUp.reason());
      host.meters().deadLettered(delivery.batch().visitorIds().size());
      finish(delivery, DeliveryOutcome.DEAD_LETTERED, sent, giveUp.reason());
    }
  }

  private void finish(
      InFlight delivery, DeliveryOutcome outcome, HttpSender.Sent sent, String detail) {
    if (delivery.retrying) {
      retrying.decrementAndGet();
      delivery.retrying = false;
    }
    Optional<DeadLetter> letter =
        outcome != DeliveryOutcome.DEAD_LETTERED
            ? Optional.empty()
            : Optional.of(
                new DeadLetter(
                    destination.getId(),
                    DeliveryChannel.HTTP,
                    delivery.batch().idempotencyKey(),
                    detail,
                    delivery.attempts,
                    delivery.firstAttempt,
                    clock.instant(),
                    delivery.batch().changes().stream().map(PartnerChange::toRecord).toList(),
                    ByteBuffer.wrap(delivery.prepared.body().getBytes())));
    recorder.ended(attemptOf(delivery, outcome, sent, detail), letter, () -> done(delivery));
  }

  private DeliveryRecord.Attempt attemptOf(
      InFlight delivery, DeliveryOutcome outcome, HttpSender.Sent sent, String detail) {
    return new DeliveryRecord.Attempt(
        destination.getId(),
        DeliveryChannel.HTTP,
        delivery.batch().idempotencyKey(),
        delivery.batch().visitorIds(),
        delivery.attempts,
        outcome,
        sent.status().orElse(null),
        sent.took(),
        detail);
  }
}
