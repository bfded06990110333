package org.dmp.sync.topic;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.dmp.avro.DeliveryAttempt;
import org.dmp.avro.DeliveryChannel;
import org.dmp.avro.DeliveryOutcome;
import org.dmp.avro.Destination;
import org.dmp.avro.PartnerSegmentUpdate;
import org.dmp.schemas.serde.AvroSerde;
import org.dmp.schemas.topics.Topic;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.sync.destination.ChannelHost;
import org.dmp.sync.destination.DestinationChannel;
import org.dmp.sync.destination.DestinationConsumer;
import org.dmp.sync.destination.DestinationWorker;
import org.dmp.sync.destination.PartnerChange;
import org.dmp.sync.destination.ReadingSettings;
import org.dmp.sync.record.DeliveryRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kafka channel: each change goes to the destination's topic as a {@link PartnerSegmentUpdate}
 * keyed by the partner's user id, exactly once per segment-topic record. Each poll's records, their
 * delivery-record entry and the consumer's offsets are written in one transaction
 * (consume-transform-produce), so a crash at any point leaves either all of it or none visible to
 * read_committed readers, and the records are read again after an abort.
 */
public final class KafkaTopicChannel implements DestinationChannel {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaTopicChannel.class);
  private static final AvroSerde<PartnerSegmentUpdate> UPDATES =
      AvroSerde.of(PartnerSegmentUpdate.class);
  private static final Duration POLL = Duration.ofMillis(100);

  private final ChannelHost host;
  private final Destination destination;
  private final ReadingSettings reading;
  private final KafkaProducer<String, byte[]> producer;
  private final String topic;
  private final Topic<String, DeliveryAttempt> deliveries;

  /** Builds the delivery-record entries, written here in the destination's own transactions. */
  private final DeliveryRecord record;

  private boolean initialized;

  private KafkaTopicChannel(ChannelHost host, DeliveryRecord record) {
    this.host = host;
    this.destination = host.destination();
    this.reading = host.reading();
    this.record = record;
    this.topic = destination.getKafka().getTopic();
    this.deliveries = reading.topics().deliveries();
    Map<String, Object> settings = new HashMap<>();
    // Stable across restarts of this instance: the restarted producer fences its predecessor and
    // aborts its open transaction.
    settings.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, reading.memberOf(destination.getId()));
    settings.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    this.producer =
        reading.kafka().producer(settings, new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * Starts writing {@code destination}'s topic; blocks while its clients are created.
   *
   * @throws IllegalArgumentException when the destination names no topic, or one of the pipeline's
   *     own: a record written to the taxonomy topic by hand must not make partner sync write into
   *     the pipeline
   */
  public static DestinationWorker start(
      Destination destination,
      ReadingSettings reading,
      Vertx vertx,
      DeliveryRecord record,
      MeterRegistry registry) {
    if (destination.getKafka() == null) {
      throw new IllegalArgumentException("a kafka destination needs a topic");
    }
    if (reading.topics().internal(destination.getKafka().getTopic())) {
      throw new IllegalArgumentException(
          "a kafka destination may not write to the pipeline's own topic "
              + destination.getKafka().getTopic());
    }
    return DestinationConsumer.start(
        destination,
        reading,
        vertx,
        registry,
        Map.of(),
        host -> new KafkaTopicChannel(host, record));
  }

  @Override
  public Optional<String> failing() {
    return Optional.empty();
  }

  @Override
  public void round() {
    KafkaConsumer<String, byte[]> consumer = host.consumer();
    if (!initialized) {
      createTopicIfMissing();
      producer.initTransactions();
      initialized = true;
    }
    ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
    if (records.isEmpty()) {
      return;
    }
    long started = System.nanoTime();
    List<String> visitors = new ArrayList<>();
    List<PartnerChange> changes = new ArrayList<>();
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    try {
      producer.beginTransaction();
      for (ConsumerRecord<String, byte[]> consumed : records) {
        PartnerChange change = host.changeOf(consumed);
        if (change != null) {
          producer.send(
              new ProducerRecord<>(
                  topic, change.partnerUserId(), UPDATES.encode(change.toRecord())));
          visitors.add(change.visitorId());
          changes.add(change);
        }
        next.put(
            new TopicPartition(consumed.topic(), consumed.partition()),
            new OffsetAndMetadata(consumed.offset() + 1));
      }
      if (!visitors.isEmpty()) {
        producer.send(
            new ProducerRecord<>(
                deliveries.name(),
                Long.toString(destination.getId()),
                deliveries
                    .values()
                    .encode(
                        attempt(
                            records, visitors, Duration.ofNanos(System.nanoTime() - started)))));
      }
      producer.sendOffsetsToTransaction(next, consumer.groupMetadata());
      producer.commitTransaction();
      host.meters().delivered(visitors.size(), Duration.ofNanos(System.nanoTime() - started));
      host.meters().partnerAcknowledged(changes);
    } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException fatal) {
      throw fatal;
    } catch (KafkaException e) {
      LOG.warn(
          "Destination {}: transaction aborted, its records are read again: {}",
          destination.getId(),
          e.toString());
      producer.abortTransaction();
      host.meters().retried();
      rewind();
    }
  }

  /** The destination's topic, with as many partitions as the segment topic, unless it exists. */
  private void createTopicIfMissing() {
    try (Admin admin = reading.kafka().admin(Map.of())) {
      int partitions = reading.topics().spec(TopicRole.SEGMENTS).partitions();
      admin
          .createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty())))
          .all()
          .get(30, TimeUnit.SECONDS);
      LOG.info(
          "Destination {}: created its topic {} with {} partitions",
          destination.getId(),
          topic,
          partitions);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new KafkaException("cannot create the destination's topic " + topic, e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while creating " + topic, e);
    } catch (TimeoutException e) {
      throw new KafkaException("timed out creating " + topic, e);
    }
  }

  /**
   * Back to the last committed offsets, so an aborted transaction's records are processed again.
   */
  private void rewind() {
    KafkaConsumer<String, byte[]> consumer = host.consumer();
    var committed = consumer.committed(consumer.assignment());
    for (TopicPartition partition : consumer.assignment()) {
      OffsetAndMetadata offset = committed.get(partition);
      if (offset != null) {
        consumer.seek(partition, offset);
      } else {
        host.seekToStart(partition);
      }
    }
  }

  private DeliveryAttempt attempt(
      ConsumerRecords<String, byte[]> records, List<String> visitors, Duration took) {
    ConsumerRecord<String, byte[]> first = records.iterator().next();
    String key =
        destination.getId()
            + "-"
            + first.partition()
            + "-"
            + first.offset()
            + "-"
            + records.count();
    return record.toRecord(
        new DeliveryRecord.Attempt(
            destination.getId(),
            DeliveryChannel.KAFKA,
            key,
            visitors,
            1,
            DeliveryOutcome.DELIVERED,
            null,
            took,
            "written to " + topic));
  }

  @Override
  public void beforeClose() {
    producer.close(Duration.ofSeconds(10));
  }
}
