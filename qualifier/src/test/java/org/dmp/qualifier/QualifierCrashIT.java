package org.dmp.qualifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.dmp.avro.EventSource;
import org.dmp.avro.ProfileUpdate;
import org.dmp.avro.VisitEvent;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.qualifier.profile.QualifierTopology;
import org.dmp.qualifier.taxonomy.CompiledTaxonomy;
import org.dmp.qualifier.taxonomy.TaxonomyFile;
import org.dmp.qualifier.taxonomy.TaxonomyPublisher;
import org.dmp.schemas.serde.AvroSerde;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the packaged qualifier in the middle of a stream, then a restart: what it wrote to
 * dmp.segments, read committed, equals what an uninterrupted run writes, with nothing lost and
 * nothing twice.
 */
@ExtendWith(KafkaBrokerExtension.class)
class QualifierCrashIT {
  private static final AvroSerde<VisitEvent> VISITS = AvroSerde.of(VisitEvent.class);
  private static final int VISITORS = 400;
  private static final int EVENTS = 6_000;
  private static final Instant T0 = Instant.parse("2026-11-23T08:00:00Z");

  private Process qualifier;

  @AfterEach
  void killLeftovers() throws InterruptedException {
    if (qualifier != null && qualifier.isAlive()) {
      qualifier.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aKilledAndRestartedQualifierWritesExactlyWhatAnUninterruptedOneWrites(EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
    String bootstrap = broker.bootstrapServers();
    List<String> settings = List.of("--kafka.bootstrap=" + bootstrap, "--http.host=127.0.0.1", "--http.port=0",
        "--topic.visits.name=" + UniqueNames.topic("crash-visits"), "--topic.segments.name=" + UniqueNames.topic("crash-segments"),
        "--topic.idmap.name=" + UniqueNames.topic("crash-idmap"), "--topic.taxonomy.name=" + UniqueNames.topic("crash-taxonomy"),
        "--qualifier.application-id=" + UniqueNames.group("crash-qualifier"), "--qualifier.state-dir=" + dir.resolve("state"),
        // Static membership: the restarted instance takes its partitions back without waiting out the dead one's session.
        "--qualifier.instance-id=crash-test-1");
    Topics topics = QualifierConfig.SETTINGS.read(Map.of(), settings, QualifierConfig::read).common().topics();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      topics.createMissing(admin);
    }
    TaxonomyPublisher.apply(bootstrap, topics.name(TopicRole.TAXONOMY), TaxonomyFile.sample(), "sample", Clock.systemUTC());
    List<VisitEvent> events = events(EVENTS);
    List<String> expected = uninterrupted(topics, events, dir.resolve("reference"));

    produce(bootstrap, topics, events);
    qualifier = start(settings);
    List<String> written = new ArrayList<>();
    try (KafkaConsumer<String, ProfileUpdate> updates = committedReader(bootstrap, topics)) {
      await().atMost(Duration.ofSeconds(90)).until(() -> read(updates, written) > expected.size() / 20);
      qualifier.destroyForcibly();
      assertThat(qualifier.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(written).as("killed in the middle of the stream").hasSizeLessThan(expected.size());

      qualifier = start(settings);
      await().atMost(Duration.ofSeconds(120)).until(() -> read(updates, written) >= expected.size());
      // Anything more (a duplicate) would have been committed with the rest: read once more after the last.
      read(updates, written);
    }

    assertThat(written).hasSameSizeAs(expected).containsExactlyInAnyOrderElementsOf(expected);
  }

  /** What the topology writes for the same events with no interruption, as (visitor, version, segments, added, removed). */
  private static List<String> uninterrupted(Topics topics, List<VisitEvent> events, Path stateDir) {
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "reference");
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    CompiledTaxonomy taxonomy = new CompiledTaxonomy(TaxonomyFile.sample());
    try (var driver = new TopologyTestDriver(QualifierTopology.build(topics, () -> taxonomy, 100, Duration.ofMinutes(1)), config)) {
      var input = driver.createInputTopic(topics.name(TopicRole.VISITS), Serdes.String().serializer(), VISITS.serializer());
      var output = driver.createOutputTopic(topics.name(TopicRole.SEGMENTS), Serdes.String().deserializer(),
          AvroSerde.of(ProfileUpdate.class).deserializer());
      events.forEach(event -> input.pipeInput(event.getVisitorId(), event, event.getTime()));
      return output.readValuesToList().stream().map(QualifierCrashIT::describe).toList();
    }
  }

  /** Visitors each alternating shoe pages and baskets, inside a few hours, so that no TTL or recency window lapses. */
  private static List<VisitEvent> events(int count) {
    List<VisitEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String visitor = "v" + (i % VISITORS);
      Map<String, List<String>> signals = switch (i / VISITORS % 3) {
        case 0 -> Map.of("c_category", List.of("shoes"));
        case 1 -> Map.of("c_cart", List.of(Integer.toString(50 + i % 200)));
        default -> Map.of("c_vip", List.of(i % 2 == 0 ? "1" : "0"));
      };
      events.add(VisitEvent.newBuilder().setEventId("e" + i).setVisitorId(visitor).setTime(T0.plusMillis(i))
          .setSource(EventSource.EDGE).setSignals(signals).build());
    }
    return events;
  }

  private static void produce(String bootstrap, Topics topics, List<VisitEvent> events) throws Exception {
    try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), VISITS.serializer())) {
      for (VisitEvent event : events) {
        producer.send(new ProducerRecord<>(topics.name(TopicRole.VISITS), event.getVisitorId(), event));
      }
      producer.flush();
    }
  }

  private static Process start(List<String> settings) throws Exception {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
        Path.of("target", "qualifier.jar").toString()));
    command.addAll(settings);
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }

  private static KafkaConsumer<String, ProfileUpdate> committedReader(String bootstrap, Topics topics) {
    KafkaConsumer<String, ProfileUpdate> consumer = new KafkaConsumer<>(Map.<String, Object>of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, UniqueNames.group("crash-reader"),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), AvroSerde.of(ProfileUpdate.class).deserializer());
    consumer.subscribe(List.of(topics.name(TopicRole.SEGMENTS)));
    return consumer;
  }

  private static int read(KafkaConsumer<String, ProfileUpdate> consumer, List<String> into) {
    consumer.poll(Duration.ofMillis(500)).forEach(record -> into.add(describe(record.value())));
    return into.size();
  }

  private static String describe(ProfileUpdate update) {
    return update.getVisitorId() + " v" + update.getVersion() + " " + update.getSegments() + " +" + update.getAdded() + " -" + update.getRemoved();
  }
}
