package org.dmp.sync;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.dmp.avro.PartnerId;
import org.dmp.avro.ProfileUpdate;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.serde.AvroSerde;
import org.dmp.schemas.topics.Topic;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.Taxonomy;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.taxonomy.TaxonomyPublisher;

/**
 * Partner sync's topics, each test's own, with a way to write segment changes and read what partner
 * sync recorded.
 */
final class SyncFixture {
  static final long DATA_SOURCE = 20001;
  static final String OPERATOR_TOKEN = "test-operator-token";
  private static final AvroSerde<ProfileUpdate> UPDATES = AvroSerde.of(ProfileUpdate.class);

  final String bootstrap;
  final List<String> settings;
  final Topics topics;
  final PartnerSyncConfig config;

  private SyncFixture(String bootstrap, List<String> settings) {
    this.bootstrap = bootstrap;
    this.settings = List.copyOf(settings);
    this.config = PartnerSyncMain.SETTINGS.read(Map.of(), settings, PartnerSyncConfig::read);
    this.topics = config.common().topics();
  }

  /**
   * Fresh topics and group names; {@code extra} settings win over the test defaults (quick
   * retries).
   */
  static SyncFixture create(String bootstrap, String... extra) throws Exception {
    List<String> settings =
        new ArrayList<>(
            List.of(
                "--kafka.bootstrap=" + bootstrap,
                "--http.host=127.0.0.1",
                "--http.port=0",
                "--operator.token=" + OPERATOR_TOKEN,
                "--sync.group-prefix=" + UniqueNames.group("sync") + "-",
                "--sync.retry.initial-delay=50ms",
                "--sync.retry.max-delay=500ms",
                "--topic.segments.partitions=3"));
    for (TopicRole role : TopicRole.values()) {
      settings.add("--topic." + role.key() + ".name=" + UniqueNames.topic(role.key()));
    }
    settings.addAll(List.of(extra));
    SyncFixture fixture = new SyncFixture(bootstrap, settings);
    try (Admin admin = KafkaClients.of(bootstrap).admin(Map.of())) {
      fixture.topics.createMissing(admin);
    }
    return fixture;
  }

  String topic(TopicRole role) {
    return topics.name(role);
  }

  /**
   * Applies a taxonomy with segments 5001 and 5002, data sources 1 and 20001, and the given
   * destinations (JSON objects).
   */
  void applyDestinations(String... destinations) throws Exception {
    apply(withDestinations(destinations));
  }

  /** The same taxonomy, parsed and validated as a file is, not yet applied. */
  static Taxonomy withDestinations(String... destinations) {
    String json =
        """
        {"dataSources": [{"id": 1, "name": "Site"}, {"id": 20001, "name": "DSP ids"}],
         "traits": [{"id": 101, "name": "Shoes", "dataSource": 1, "type": "rule", "rule": "c_category == \\"shoes\\""}],
         "segments": [{"id": 5001, "name": "Shoe fans", "rule": "[101T]"}, {"id": 5002, "name": "Any shoe", "rule": "[101T]"}],
         "destinations": [%s]}"""
            .formatted(String.join(",", destinations));
    return TaxonomyFile.parse("test", json);
  }

  /** Writes {@code taxonomy} to the taxonomy topic as a new revision, as it is. */
  void apply(Taxonomy taxonomy) throws Exception {
    TaxonomyPublisher.apply(
        KafkaClients.of(bootstrap),
        Topic.taxonomy(topic(TopicRole.TAXONOMY)),
        taxonomy,
        "test",
        Clock.systemUTC());
  }

  static String httpDestination(long id, String url, String extra) {
    return """
        {"id": %d, "name": "partner %d", "type": "http", "dataSource": 20001, "url": "%s", "clientId": "c%d",
         "mappings": {"5001": "s5001", "5002": "s5002"}%s}"""
        .formatted(id, id, url, id, extra.isEmpty() ? "" : ", " + extra);
  }

  static ProfileUpdate joined(String visitor, long version, long segment) {
    return update(visitor, version, List.of(segment), List.of(), Optional.of("p-" + visitor));
  }

  static ProfileUpdate update(
      String visitor,
      long version,
      List<Long> added,
      List<Long> removed,
      Optional<String> partnerUserId) {
    return ProfileUpdate.newBuilder()
        .setVisitorId(visitor)
        .setVersion(version)
        .setSegments(added)
        .setAdded(added)
        .setRemoved(removed)
        .setTime(Instant.now())
        .setPartnerIds(
            partnerUserId.map(id -> List.of(new PartnerId(DATA_SOURCE, id))).orElse(List.of()))
        .build();
  }

  /** Writes changes to the segment topic, keyed by visitor as the qualifier does. */
  void publish(List<ProfileUpdate> updates) {
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all"),
            new StringSerializer(),
            UPDATES.serializer())) {
      updates.forEach(
          update ->
              producer.send(
                  new ProducerRecord<>(topic(TopicRole.SEGMENTS), update.getVisitorId(), update)));
      producer.flush();
    }
  }

  /** Every record of a topic, read from the start until {@code enough} holds for them. */
  <T extends org.apache.avro.specific.SpecificRecord> List<T> readUntil(
      String topic, AvroSerde<T> serde, Predicate<List<T>> enough) {
    return readUntil(topic, record -> serde.decode(topic, record.value()), enough);
  }

  /** Every record of a topic, as {@code read} makes it, until {@code enough} holds for them. */
  <T> List<T> readUntil(
      String topic,
      java.util.function.Function<ConsumerRecord<String, byte[]>, T> reader,
      Predicate<List<T>> enough) {
    List<T> read = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                consumer
                    .partitionsFor(topic)
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
                return !partitions.isEmpty();
              });
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> record :
                    consumer.poll(Duration.ofMillis(200))) {
                  read.add(reader.apply(record));
                }
                return enough.test(read);
              });
    }
    return read;
  }

  /**
   * Partner sync as a process of its own, with these settings, its output discarded: for the kill
   * -9 tests.
   */
  Process startProcess() throws java.io.IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-jar",
                java.nio.file.Path.of("target", "partner-sync.jar").toString()));
    command.addAll(settings);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  /**
   * GET on partner sync's status endpoint, as an operator. HTTP/1.1 and a timeout: the JDK client's
   * default h2c upgrade once hung for good on /metrics, whose histograms make a large body.
   */
  static HttpResponse<String> get(int port, String path) throws Exception {
    return get(port, path, "Bearer " + OPERATOR_TOKEN);
  }

  /** A POST of JSON with the operator token. */
  static HttpResponse<String> post(int port, String path, String json) throws Exception {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(java.time.Duration.ofSeconds(10))
        .build()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(java.time.Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + OPERATOR_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /** The same, with this Authorization header (null: none). */
  static HttpResponse<String> get(int port, String path, String authorization) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(java.time.Duration.ofSeconds(30));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(java.time.Duration.ofSeconds(10))
        .build()
        .send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
