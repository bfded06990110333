package org.dmp.sync.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.dmp.avro.DeadLetter;
import org.dmp.avro.DeliveryChannel;
import org.dmp.avro.DeliveryOutcome;
import org.dmp.avro.Destination;
import org.dmp.avro.HttpTarget;
import org.dmp.sync.PartnerSyncConfig;
import org.dmp.sync.destination.DestinationMeters;
import org.dmp.sync.destination.DestinationStatus;
import org.dmp.sync.destination.PartnerChange;
import org.dmp.sync.destination.SegmentReader;
import org.dmp.sync.record.DeliveryRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An http destination: changes read from the segment topic go out as Audience Manager real-time
 * POSTs, retried with backoff, dead-lettered when they cannot be delivered, and every attempt
 * recorded. An offset is committed only when every change before it is delivered or dead-lettered.
 *
 * <p>Threads: the reading thread owns the consumer, the batches and the Kafka writes; the Vert.x
 * context sends the requests and runs the retry timers. They hand work to each other, never block each other.
 */
public final class HttpDestination extends SegmentReader {
  private static final Logger LOG = LoggerFactory.getLogger(HttpDestination.class);
  private static final long MAX_POLL_WAIT_NANOS = Duration.ofMillis(10).toNanos();
  /**
   * While a batch is in flight its outcome comes back as a task for this thread, and the next batch
   * of its partition waits for it: a poll that blocked for the full wait delayed that batch by up to
   * 10 ms.
   */
  private static final long IN_FLIGHT_POLL_WAIT_NANOS = Duration.ofMillis(1).toNanos();
  private static final long COMMIT_INTERVAL_NANOS = Duration.ofMillis(200).toNanos();
  private static final Duration RECORD_RETRY = Duration.ofSeconds(1);
  /** A commit that takes longer is tried again next round; meanwhile batches wait and nothing is sent unrecorded. */
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);

  private final WebClient client;
  private final HttpTarget target;
  private final Signer signer;
  private final DeliveryRecord record;
  private final Map<TopicPartition, PartitionBatches> partitions = new HashMap<>();
  private final List<Delivery> unsent = new ArrayList<>();
  private final Set<TopicPartition> paused = new HashSet<>();
  private final AtomicInteger retrying = new AtomicInteger();
  private volatile String lastFailure;
  private boolean commitWanted;
  private long committedNanos;

  /** One batch on its way: attempts so far and when the first began. */
  private static final class Delivery {
    final PartitionBatches owner;
    final RealtimeBatch batch;
    final Buffer body;
    final String signature;
    int attempts;
    Instant firstAttempt;
    long firstAttemptNanos;
    boolean retrying;

    Delivery(PartitionBatches owner, RealtimeBatch batch, Buffer body, String signature) {
      this.owner = owner;
      this.batch = batch;
      this.body = body;
      this.signature = signature;
    }
  }

  private HttpDestination(Destination destination, PartnerSyncConfig config, Vertx vertx, DeliveryRecord record, DestinationMeters meters,
      Signer signer) {
    super(destination, config, vertx, meters, Map.of());
    this.target = destination.getHttp();
    this.signer = signer;
    this.record = record;
    this.client = WebClient.create(vertx, new WebClientOptions()
        .setUserAgent("dmp-partner-sync")
        .setConnectTimeout((int) config.batching().timeout().toMillis()));
  }

  /**
   * Starts delivering to {@code destination}.
   *
   * @param environment where signing secrets are looked up
   * @throws IllegalArgumentException when the destination cannot run as declared (no target, no secret)
   */
  public static HttpDestination start(Destination destination, PartnerSyncConfig config, Vertx vertx, DeliveryRecord record,
      MeterRegistry registry, Function<String, Optional<String>> environment) {
    if (destination.getHttp() == null) {
      throw new IllegalArgumentException("an http destination needs a url");
    }
    Signer signer = destination.getHttp().getSigning() == null ? null : Signer.of(destination.getHttp().getSigning(), environment);
    HttpDestination started = new HttpDestination(destination, config, vertx, record, new DestinationMeters(registry, destination.getId(), "http"),
        signer);
    started.startReading();
    return started;
  }

  @Override
  public DestinationStatus status() {
    return status(retrying.get() > 0, lastFailure);
  }

  @Override
  protected void release() {
    client.close();
  }

  // ---- the reading thread ----

  @Override
  protected void round() {
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
      batches.offer(consumed.offset(), changeOf(consumed), now).ifPresent(batch -> unsent.add(delivery(batches, batch)));
    }
    for (PartitionBatches batches : partitions.values()) {
      batches.positionReached(consumer.position(batches.partition())).ifPresent(batch -> unsent.add(delivery(batches, batch)));
      batches.closeIfDue(now).ifPresent(batch -> unsent.add(delivery(batches, batch)));
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
      consumer.pause(List.of(partition));
    } else if (!batches.full() && paused.remove(partition)) {
      consumer.resume(List.of(partition));
    }
  }

  private Delivery delivery(PartitionBatches owner, RealtimeBatch batch) {
    byte[] body = batch.body(destination.getId(), destination.getDataSourceId(), target.getClientId(), record.now());
    return new Delivery(owner, batch, Buffer.buffer(body), signer == null ? null : signer.sign(body));
  }

  /** Batches are sent only once the commit naming them is durable: that is what lets a successor re-form them exactly. */
  private void commitThenSend() {
    Map<TopicPartition, OffsetAndMetadata> points = new HashMap<>();
    partitions.forEach((partition, batches) -> points.put(partition, batches.commitPoint()));
    try {
      consumer.commitSync(points, COMMIT_TIMEOUT);
    } catch (KafkaException e) {
      LOG.warn("Destination {}: commit failed, tried again next round: {}", destination.getId(), e.toString());
      return;
    }
    committedNanos = System.nanoTime();
    commitWanted = false;
    for (Delivery delivery : unsent) {
      if (partitions.get(delivery.batch.partition()) == delivery.owner) {
        context.runOnContext(go -> attempt(delivery));
      }
    }
    unsent.clear();
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
    Map<TopicPartition, OffsetAndMetadata> points = new HashMap<>();
    for (TopicPartition partition : revoked) {
      PartitionBatches batches = partitions.remove(partition);
      if (batches != null) {
        points.put(partition, batches.commitPoint());
      }
      paused.remove(partition);
    }
    unsent.removeIf(delivery -> revoked.contains(delivery.batch.partition()));
    commitQuietly(points);
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(assigned));
    for (TopicPartition partition : assigned) {
      partitions.put(partition, new PartitionBatches(destination.getId(), partition, consumer.position(partition),
          Optional.ofNullable(committed.get(partition)), config.batching().maxUsers(), config.batching().maxWait().toNanos()));
    }
  }

  @Override
  protected void beforeClose() {
    Map<TopicPartition, OffsetAndMetadata> points = new HashMap<>();
    partitions.forEach((partition, batches) -> points.put(partition, batches.commitPoint()));
    commitQuietly(points);
  }

  private void commitQuietly(Map<TopicPartition, OffsetAndMetadata> points) {
    if (points.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(points, COMMIT_TIMEOUT);
    } catch (KafkaException e) {
      LOG.warn("Destination {}: commit failed; a successor re-sends from the last commit: {}", destination.getId(), e.toString());
    }
  }

  // ---- the Vert.x context ----

  private void attempt(Delivery delivery) {
    if (stopping()) {
      return;
    }
    delivery.attempts++;
    if (delivery.attempts == 1) {
      delivery.firstAttempt = record.now();
      delivery.firstAttemptNanos = System.nanoTime();
    }
    long started = System.nanoTime();
    HttpRequest<Buffer> request = client.postAbs(target.getUrl())
        .timeout(config.batching().timeout().toMillis())
        .putHeader("Content-Type", "application/json")
        .putHeader("Idempotency-Key", delivery.batch.idempotencyKey());
    if (signer != null) {
      request.putHeader(signer.header(), delivery.signature);
    }
    request.sendBuffer(delivery.body).onComplete(result -> outcome(delivery, Duration.ofNanos(System.nanoTime() - started), result));
  }

  private void outcome(Delivery delivery, Duration took, AsyncResult<HttpResponse<Buffer>> result) {
    Integer status = result.succeeded() ? result.result().statusCode() : null;
    if (status != null && status >= 200 && status < 300) {
      meters.delivered(delivery.batch.visitorIds().size(), took);
      meters.partnerAcknowledged(delivery.batch.changes());
      finish(delivery, DeliveryOutcome.DELIVERED, status, took, null);
      return;
    }
    String failure = status != null ? "HTTP " + status : String.valueOf(result.cause());
    if (status != null && !retryable(status)) {
      giveUp(delivery, status, took, "permanent failure: " + failure);
      return;
    }
    Optional<Duration> wait = config.retry().next(delivery.attempts, status == null ? Optional.empty() : retryAfter(result.result().getHeader("Retry-After"), Instant.now()),
        Duration.ofNanos(System.nanoTime() - delivery.firstAttemptNanos), ThreadLocalRandom.current());
    if (wait.isEmpty()) {
      giveUp(delivery, status, took, "retry budget of " + config.retry().giveUpAfter() + " spent after " + delivery.attempts
          + " attempts; last: " + failure);
      return;
    }
    lastFailure = failure;
    meters.retried();
    if (!delivery.retrying) {
      delivery.retrying = true;
      retrying.incrementAndGet();
    }
    DeliveryRecord.Attempt attempt = attemptOf(delivery, DeliveryOutcome.RETRYING, status, took, failure + "; next try in " + wait.get());
    onReadingThread(() -> record.attempt(attempt).exceptionally(error -> {
      LOG.warn("Destination {}: could not record attempt {} of {}: {}", destination.getId(), attempt.attempt(), attempt.idempotencyKey(),
          error.toString());
      return null;
    }));
    vertx.setTimer(Math.max(1, wait.get().toMillis()), timer -> attempt(delivery));
  }

  private void giveUp(Delivery delivery, Integer status, Duration took, String reason) {
    LOG.warn("Destination {}: dead-lettering batch {} of {} users: {}", destination.getId(), delivery.batch.idempotencyKey(),
        delivery.batch.visitorIds().size(), reason);
    meters.deadLettered(delivery.batch.visitorIds().size());
    finish(delivery, DeliveryOutcome.DEAD_LETTERED, status, took, reason);
  }

  private void finish(Delivery delivery, DeliveryOutcome outcome, Integer status, Duration took, String detail) {
    if (delivery.retrying) {
      retrying.decrementAndGet();
      delivery.retrying = false;
    }
    DeliveryRecord.Attempt attempt = attemptOf(delivery, outcome, status, took, detail);
    DeadLetter letter = outcome == DeliveryOutcome.DEAD_LETTERED ? new DeadLetter(destination.getId(), DeliveryChannel.HTTP,
        delivery.batch.idempotencyKey(), detail, delivery.attempts, delivery.firstAttempt, record.now(),
        delivery.batch.changes().stream().map(PartnerChange::toRecord).toList()) : null;
    onReadingThread(() -> recordEnd(delivery, attempt, letter));
  }

  /** On the reading thread: the batch is done once its outcome is in Kafka; until then its offsets stay uncommitted. */
  private void recordEnd(Delivery delivery, DeliveryRecord.Attempt attempt, DeadLetter letter) {
    CompletableFuture<Void> written = letter == null ? record.attempt(attempt)
        : CompletableFuture.allOf(record.attempt(attempt), record.deadLetter(letter));
    written.whenComplete((ok, error) -> {
      if (error == null) {
        onReadingThread(() -> {
          if (partitions.get(delivery.batch.partition()) == delivery.owner && delivery.owner.complete(delivery.batch)) {
            commitWanted = true;
          }
        });
      } else if (!stopping()) {
        LOG.warn("Destination {}: recording the outcome of {} failed, trying again: {}", destination.getId(),
            delivery.batch.idempotencyKey(), error.toString());
        vertx.setTimer(RECORD_RETRY.toMillis(), timer -> onReadingThread(() -> recordEnd(delivery, attempt, letter)));
      }
    });
  }

  private DeliveryRecord.Attempt attemptOf(Delivery delivery, DeliveryOutcome outcome, Integer status, Duration took, String detail) {
    return new DeliveryRecord.Attempt(destination.getId(), DeliveryChannel.HTTP, delivery.batch.idempotencyKey(),
        delivery.batch.visitorIds(), delivery.attempts, outcome, status, took, detail);
  }

  /** Timeouts and connection errors (no status), 408, 429 and 5xx may pass; any other answer will not. */
  static boolean retryable(int status) {
    return status == 408 || status == 429 || status >= 500;
  }

  /** Retry-After as seconds or as an HTTP date; empty when absent or neither. */
  static Optional<Duration> retryAfter(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim()))));
    } catch (NumberFormatException notSeconds) {
      try {
        Duration until = Duration.between(now, ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        return Optional.of(until.isNegative() ? Duration.ZERO : until);
      } catch (DateTimeParseException notDate) {
        return Optional.empty();
      }
    }
  }
}
