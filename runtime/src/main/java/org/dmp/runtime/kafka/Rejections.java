package org.dmp.runtime.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.dmp.runtime.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one consumer sets aside the records it cannot process (bytes that do not decode, a record
 * longer than its topic allows, a record whose processing fails): to the rejected records' topic,
 * as they were read, with why and where from in headers, so that the records after them are
 * processed and nothing is dropped unseen.
 *
 * <p>{@link #reject} returns once the record is written, so a consumer that commits its offsets
 * afterwards commits only past what is kept. It blocks: call it from a consumer's thread, never an
 * event loop. The producer is made at the first rejection, since most consumers never need it.
 */
public final class Rejections implements AutoCloseable {
  /** Why the record was set aside. */
  public static final String REASON = "dmp.rejected.reason";

  /** Which consumer set it aside (a service, a destination). */
  public static final String CONSUMER = "dmp.rejected.consumer";

  /** The topic, partition and offset it was read from. */
  public static final String TOPIC = "dmp.rejected.topic";

  public static final String PARTITION = "dmp.rejected.partition";
  public static final String OFFSET = "dmp.rejected.offset";

  private static final Logger LOG = LoggerFactory.getLogger(Rejections.class);
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(60);

  private final KafkaClients kafka;
  private final String rejectedTopic;
  private final String consumer;
  private final RateLimitedLog log = new RateLimitedLog(LOG, Duration.ofSeconds(10));
  private KafkaProducer<byte[], byte[]> producer;

  /**
   * @param consumer names the consumer in each rejected record and in the log
   */
  public Rejections(KafkaClients kafka, String rejectedTopic, String consumer) {
    this.kafka = kafka;
    this.rejectedTopic = rejectedTopic;
    this.consumer = consumer;
  }

  /**
   * Writes a record as it was read, and why it is set aside, and waits until it is written.
   *
   * @param topic null when there was no record (a punctuation failed)
   * @param value null when there is none
   * @throws KafkaException when it cannot be written: the caller must not go past the record
   */
  public synchronized void reject(
      String topic,
      int partition,
      long offset,
      byte[] key,
      byte[] value,
      Headers headers,
      String reason) {
    log.warn(
        String.valueOf(topic),
        "{} set aside {}-{}@{} to {}: {}",
        consumer,
        topic,
        partition,
        offset,
        rejectedTopic,
        reason);
    Headers kept = new RecordHeaders();
    if (headers != null) {
      headers.forEach(kept::add);
    }
    kept.add(REASON, utf8(reason));
    kept.add(CONSUMER, utf8(consumer));
    kept.add(TOPIC, utf8(String.valueOf(topic)));
    kept.add(PARTITION, utf8(Integer.toString(partition)));
    kept.add(OFFSET, utf8(Long.toString(offset)));
    try {
      producer()
          .send(new ProducerRecord<>(rejectedTopic, null, key, value, kept))
          .get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while setting a record aside to " + rejectedTopic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new KafkaException(
          "cannot set " + topic + "-" + partition + "@" + offset + " aside to " + rejectedTopic, e);
    }
  }

  /** A record whose key is text, as most consumers here read them. */
  public void reject(
      org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> record, String reason) {
    reject(
        record.topic(),
        record.partition(),
        record.offset(),
        record.key() == null ? null : utf8(record.key()),
        record.value(),
        record.headers(),
        reason);
  }

  private KafkaProducer<byte[], byte[]> producer() {
    if (producer == null) {
      producer =
          kafka.producer(
              Map.of(
                  ProducerConfig.CLIENT_ID_CONFIG,
                  consumer + "-rejections",
                  ProducerConfig.ACKS_CONFIG,
                  "all",
                  ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                  true),
              new ByteArraySerializer(),
              new ByteArraySerializer());
    }
    return producer;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public synchronized void close() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(10));
      producer = null;
    }
  }
}
