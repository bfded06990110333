package org.dmp.qualifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.dmp.avro.EventSource;
import org.dmp.avro.IdMapping;
import org.dmp.avro.InboundChunk;
import org.dmp.avro.InboundChunkLine;
import org.dmp.avro.PartnerId;
import org.dmp.avro.ProfileUpdate;
import org.dmp.avro.VisitEvent;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.runtime.kafka.Rejections;
import org.dmp.schemas.IdMapKey;
import org.dmp.schemas.topics.Topic;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.taxonomy.TaxonomyPublisher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records the qualifier cannot take, ahead of good ones on the same partitions of every topic it
 * consumes: each is set aside to the rejected records' topic with where it came from and why, and
 * the records after them are qualified as if the bad ones were not there.
 */
@ExtendWith({VertxExtension.class, KafkaBrokerExtension.class})
class PoisonRecordsIT {
  private static final int ID_LIMIT = 16 * 1024;
  private static final String CRM = "crm-1";
  private static final String VISITOR = "4242";
  // Recent: segment 5002 looks back 7 days from the qualifier's ticks, which follow the clock.
  private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);

  @Test
  void junkForeignAndOversizedRecordsAreSetAsideAndTheRecordsAfterThemQualify(
      @TempDir Path stateDir, Vertx vertx, EmbeddedKafkaBroker broker) throws Exception {
    // Parameters are closed in reverse: Vert.x, and the qualifier in it, before its state folder.
    String bootstrap = broker.bootstrapServers();
    QualifierConfig config =
        QualifierSettings.create(
            bootstrap,
            stateDir,
            "--topic.idmap.max-record-bytes=" + ID_LIMIT,
            "--topic.inbound.max-record-bytes=" + ID_LIMIT);
    Topics topics = config.common().topics();
    KafkaClients kafka = KafkaClients.of(bootstrap);
    TaxonomyPublisher.apply(
        kafka, topics.taxonomy(), TaxonomyFile.sample(), "sample", Clock.systemUTC());

    String idKey = IdMapKey.of(20001L, CRM);
    Set<String> poisoned = new HashSet<>();
    try (KafkaProducer<String, byte[]> producer =
        kafka.producer(Map.of(), new StringSerializer(), new ByteArraySerializer())) {
      String huge = "x".repeat(300 * 1024);
      poison(
          producer,
          topics.visits(),
          VISITOR,
          event(VISITOR, 0, Map.of("c_category", List.of(huge))),
          poisoned);
      poison(
          producer,
          topics.idmap(),
          idKey,
          new IdMapping(20001L, CRM, huge.substring(0, ID_LIMIT), Instant.EPOCH, false),
          poisoned);
      poison(
          producer,
          topics.inbound(),
          idKey,
          InboundChunk.newBuilder(line(201L)).setEventIdPrefix(huge.substring(0, ID_LIMIT)).build(),
          poisoned);

      // Behind them on the same partitions: a visitor synced with the partner id and a big basket
      // (joins 5002), and then the partner's file line making them gold (leaves 5002).
      send(
          producer,
          topics.visits(),
          VISITOR,
          VisitEvent.newBuilder(event(VISITOR, 1, Map.of("c_cart", List.of("250"))))
              .setPartnerIds(List.of(new PartnerId(20001L, CRM)))
              .build());
      send(producer, topics.inbound(), idKey, line(201L));
    }

    var running =
        MainThread.await(
            QualifierMain.start(vertx, config), Duration.ofSeconds(60), "starting the qualifier");
    try (var updates =
            kafka.consumer(
                Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG,
                    UniqueNames.group("updates"),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                    "read_committed",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                    "earliest"),
                new StringDeserializer(),
                topics.segments().values().deserializer());
        var rejected =
            kafka.consumer(
                Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG,
                    UniqueNames.group("rejected"),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                    "earliest"),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
      updates.subscribe(List.of(topics.name(TopicRole.SEGMENTS)));
      List<ProfileUpdate> seen = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () -> {
                updates.poll(Duration.ofMillis(200)).forEach(record -> seen.add(record.value()));
                return seen.stream().anyMatch(update -> update.getRemoved().contains(5002L));
              });
      assertThat(seen)
          .extracting(ProfileUpdate::getVisitorId, ProfileUpdate::getCauseEventId)
          .containsExactly(
              tuple(VISITOR, "cart-" + VISITOR),
              tuple(VISITOR, "file:ftp_dpm_20001_1:1:" + VISITOR));

      rejected.subscribe(List.of(topics.name(TopicRole.VISITS_REJECTED)));
      Map<String, String> reasons = new HashMap<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> record :
                    rejected.poll(Duration.ofMillis(200))) {
                  String where =
                      header(record, Rejections.TOPIC)
                          + "@"
                          + header(record, Rejections.OFFSET)
                          + " "
                          + record.key();
                  reasons.put(where, header(record, Rejections.REASON));
                  assertThat(header(record, Rejections.CONSUMER)).isEqualTo(config.applicationId());
                }
                return reasons.size() >= poisoned.size();
              });
      assertThat(reasons).containsOnlyKeys(poisoned);
      assertThat(reasons.values())
          .allSatisfy(reason -> assertThat(reason).startsWith("it cannot be read: "));
      assertThat(reasons.values())
          .filteredOn(reason -> reason.contains("not an Avro single-object record"))
          .hasSize(3);
      assertThat(reasons.values())
          .filteredOn(reason -> reason.contains("unknown schema fingerprint"))
          .hasSize(3);
      assertThat(reasons.values()).filteredOn(reason -> reason.contains("bytes long")).hasSize(3);
    }
  }

  /**
   * Writes three records {@code topic}'s readers cannot take, under {@code key}: junk, a record of
   * a schema nobody knows, and {@code oversized}; notes each as {@code topic@offset key}.
   */
  private static <V extends org.apache.avro.specific.SpecificRecord> void poison(
      KafkaProducer<String, byte[]> producer,
      Topic<String, V> topic,
      String key,
      V oversized,
      Set<String> poisoned)
      throws Exception {
    byte[] junk = "not an event at all".getBytes(StandardCharsets.UTF_8);
    byte[] foreign = topic.values().encode(oversized);
    Arrays.fill(foreign, 2, 10, (byte) 0x5A);
    foreign = Arrays.copyOf(foreign, 64);
    for (byte[] value : List.of(junk, foreign, topic.values().encode(oversized))) {
      RecordMetadata written = producer.send(new ProducerRecord<>(topic.name(), key, value)).get();
      poisoned.add(topic.name() + "@" + written.offset() + " " + key);
    }
  }

  private static <V extends org.apache.avro.specific.SpecificRecord> void send(
      KafkaProducer<String, byte[]> producer, Topic<String, V> topic, String key, V value)
      throws Exception {
    producer.send(new ProducerRecord<>(topic.name(), key, topic.values().encode(value))).get();
  }

  private static String header(ConsumerRecord<?, ?> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static VisitEvent event(String visitorId, int second, Map<String, List<String>> signals) {
    return VisitEvent.newBuilder()
        .setEventId("cart-" + visitorId)
        .setVisitorId(visitorId)
        .setTime(T0.plusSeconds(second))
        .setSource(EventSource.EDGE)
        .setSignals(signals)
        .build();
  }

  /** Line 1 of partner 20001's file, realizing {@code trait} for {@link #CRM}. */
  /** Line 1 of data source 20001's file, for the partner id, in the partition of its key. */
  private static InboundChunk line(long trait) {
    return InboundChunk.newBuilder()
        .setEventIdPrefix("file:ftp_dpm_20001_1:")
        .setTime(T0.plusSeconds(10))
        .setDataSourceId(20001L)
        .setTargetDataSourceId(20001L)
        .setOverwrite(false)
        .setVisitorIds(false)
        .setLines(List.of(new InboundChunkLine(1L, CRM, List.of(trait), List.of(), Map.of())))
        .build();
  }
}
