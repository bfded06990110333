package org.dmp.sync.record;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.dmp.avro.DeadLetter;
import org.dmp.avro.DeliveryAttempt;
import org.dmp.avro.DeliveryChannel;
import org.dmp.avro.DeliveryOutcome;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.topics.Topic;
import org.dmp.schemas.topics.Topics;

/**
 * Writes the delivery record ({@code dmp.deliveries}, every attempt and its outcome) and the dead
 * letters ({@code dmp.deadletter}), keyed by destination, with one idempotent producer shared by
 * every destination of the process.
 */
public final class DeliveryRecord implements AttemptLog, AutoCloseable {

  private final KafkaProducer<String, byte[]> producer;
  private final Topic<String, DeliveryAttempt> deliveries;
  private final Topic<String, DeadLetter> deadLetters;
  private final Clock clock;

  /** An attempt as it ended. */
  public record Attempt(
      long destinationId,
      DeliveryChannel channel,
      String idempotencyKey,
      List<String> visitorIds,
      int attempt,
      DeliveryOutcome outcome,
      Integer httpStatus,
      Duration latency,
      String detail) {}

  public DeliveryRecord(KafkaClients kafka, Topics topics, Clock clock) {
    Map<String, Object> settings = new HashMap<>();
    settings.put(ProducerConfig.ACKS_CONFIG, "all");
    settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // The next batch of a partition waits until this one's outcome is in Kafka: no lingering.
    settings.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    settings.put(ProducerConfig.CLIENT_ID_CONFIG, "partner-sync-delivery-record");
    this.producer = kafka.producer(settings, new StringSerializer(), new ByteArraySerializer());
    this.deliveries = topics.deliveries();
    this.deadLetters = topics.deadLetters();
    this.clock = clock;
  }

  @Override
  public CompletableFuture<Void> attempt(Attempt attempt) {
    return send(
        new ProducerRecord<>(
            deliveries.name(),
            Long.toString(attempt.destinationId()),
            deliveries.values().encode(toRecord(attempt))));
  }

  /** The dead letter, with its reason also in a header. */
  @Override
  public CompletableFuture<Void> deadLetter(DeadLetter letter) {
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(
            deadLetters.name(),
            Long.toString(letter.getDestinationId()),
            deadLetters.values().encode(letter));
    record
        .headers()
        .add(new RecordHeader("reason", letter.getReason().getBytes(StandardCharsets.UTF_8)));
    return send(record);
  }

  public DeliveryAttempt toRecord(Attempt attempt) {
    return new DeliveryAttempt(
        attempt.destinationId(),
        attempt.channel(),
        attempt.idempotencyKey(),
        attempt.visitorIds(),
        attempt.attempt(),
        attempt.outcome(),
        attempt.httpStatus(),
        attempt.latency().toMillis(),
        clock.instant(),
        attempt.detail());
  }

  public Instant now() {
    return clock.instant();
  }

  private CompletableFuture<Void> send(ProducerRecord<String, byte[]> record) {
    CompletableFuture<Void> written = new CompletableFuture<>();
    try {
      producer.send(
          record,
          (metadata, error) -> {
            if (error == null) {
              written.complete(null);
            } else {
              written.completeExceptionally(error);
            }
          });
    } catch (RuntimeException e) {
      written.completeExceptionally(e);
    }
    return written;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
