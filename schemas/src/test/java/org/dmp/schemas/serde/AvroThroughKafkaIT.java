package org.dmp.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.dmp.avro.ProfileUpdate;
import org.dmp.avro.VisitEvent;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.schemas.SampleRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The serdes against a real broker, with each client library the services use. */
@ExtendWith({VertxExtension.class, KafkaBrokerExtension.class})
class AvroThroughKafkaIT {
  private static final AvroSerde<VisitEvent> VISITS = AvroSerde.of(VisitEvent.class);
  private static final AvroSerde<ProfileUpdate> UPDATES = AvroSerde.of(ProfileUpdate.class);

  @Test
  void vertxKafkaClientWritesAndReadsAvroRecords(
      Vertx vertx, VertxTestContext test, EmbeddedKafkaBroker broker) {
    String topic = UniqueNames.topic("vertx-avro");
    List<VisitEvent> sent =
        List.of(SampleRecords.visit("111", "e-1"), SampleRecords.visit("222", "e-2"));
    KafkaProducer<String, VisitEvent> producer =
        KafkaProducer.create(
            vertx,
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"),
            new StringSerializer(),
            VISITS.serializer());
    KafkaConsumer<String, VisitEvent> consumer =
        KafkaConsumer.create(
            vertx,
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, UniqueNames.group("vertx-avro"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
            new StringDeserializer(),
            VISITS.deserializer());

    List<VisitEvent> received = new ArrayList<>();
    consumer.exceptionHandler(test::failNow);
    consumer.handler(
        record ->
            test.verify(
                () -> {
                  assertThat(record.key()).isEqualTo(record.value().getVisitorId());
                  received.add(record.value());
                  if (received.size() == sent.size()) {
                    assertThat(received).containsExactlyElementsOf(sent);
                    test.completeNow();
                  }
                }));
    producer
        .send(KafkaProducerRecord.create(topic, "111", sent.get(0)))
        .compose(ack -> producer.send(KafkaProducerRecord.create(topic, "222", sent.get(1))))
        .compose(ack -> consumer.subscribe(topic))
        .onFailure(test::failNow);
  }

  @Test
  void kafkaStreamsTopologyReadsAndWritesAvroRecords(
      EmbeddedKafkaBroker broker, @TempDir Path stateDir) throws Exception {
    String input = UniqueNames.topic("streams-in");
    String output = UniqueNames.topic("streams-out");
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(input, Consumed.with(Serdes.String(), VISITS))
        .mapValues(
            visit ->
                ProfileUpdate.newBuilder(SampleRecords.profileUpdate(visit.getVisitorId()))
                    .setCauseEventId(visit.getEventId())
                    .build())
        .to(output, Produced.with(Serdes.String(), UPDATES));
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, UniqueNames.group("streams-avro"));
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);

    try (var producer =
            new org.apache.kafka.clients.producer.KafkaProducer<>(
                Map.<String, Object>of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringSerializer(),
                VISITS.serializer());
        KafkaStreams streams = new KafkaStreams(builder.build(), config)) {
      producer.send(new ProducerRecord<>(input, "333", SampleRecords.visit("333", "e-3"))).get();
      streams.start();

      List<ProfileUpdate> updates = readCommitted(broker, output, 1);
      assertThat(updates)
          .singleElement()
          .satisfies(
              update -> {
                assertThat(update.getVisitorId()).isEqualTo("333");
                assertThat(update.getCauseEventId()).isEqualTo("e-3");
                assertThat(update.getTime()).isEqualTo(SampleRecords.TIME);
              });
    }
  }

  @Test
  void anUndecodableRecordIsReportedWithTopicPartitionOffsetAndReason(EmbeddedKafkaBroker broker)
      throws Exception {
    String topic = UniqueNames.topic("undecodable");
    byte[] unknownFingerprint = VISITS.encode(SampleRecords.visit("444", "e-4"));
    ByteBuffer.wrap(unknownFingerprint, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(42L);
    try (var producer =
        new org.apache.kafka.clients.producer.KafkaProducer<>(
            Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(topic, "good", VISITS.encode(SampleRecords.visit("444", "e-0"))))
          .get();
      producer.send(new ProducerRecord<>(topic, "bad", unknownFingerprint)).get();
    }

    try (var consumer =
        new org.apache.kafka.clients.consumer.KafkaConsumer<>(
            Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, UniqueNames.group("undecodable"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
            new StringDeserializer(),
            VISITS.deserializer())) {
      consumer.subscribe(List.of(topic));
      List<String> decoded = new ArrayList<>();
      assertThatThrownBy(
              () -> {
                while (true) {
                  consumer
                      .poll(Duration.ofMillis(200))
                      .forEach(record -> decoded.add(record.key()));
                }
              })
          .isInstanceOfSatisfying(
              RecordDeserializationException.class,
              e -> {
                assertThat(e.topicPartition().topic()).isEqualTo(topic);
                assertThat(e.offset()).isEqualTo(1L);
                assertThat(e.getMessage()).contains(topic + "-0").contains("offset 1");
                assertThat(e.getCause())
                    .hasMessageContaining("unknown schema fingerprint 0x000000000000002a");
              });
      assertThat(decoded).containsExactly("good");
    }
  }

  private static List<ProfileUpdate> readCommitted(
      EmbeddedKafkaBroker broker, String topic, int expected) {
    List<ProfileUpdate> seen = new ArrayList<>();
    try (var consumer =
        new org.apache.kafka.clients.consumer.KafkaConsumer<>(
            Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                UniqueNames.group("reader"),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            UPDATES.deserializer())) {
      consumer.subscribe(List.of(topic));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                for (ConsumerRecord<String, ProfileUpdate> record :
                    consumer.poll(Duration.ofMillis(200))) {
                  seen.add(record.value());
                }
                return seen.size() >= expected;
              });
    }
    return seen;
  }
}
