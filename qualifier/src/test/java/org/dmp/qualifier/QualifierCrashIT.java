package org.dmp.qualifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.awaitility.core.ConditionTimeoutException;
import org.dmp.avro.EventSource;
import org.dmp.avro.ProfileUpdate;
import org.dmp.avro.VisitEvent;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.qualifier.profile.QualifierTopology;
import org.dmp.qualifier.profile.UpdateLines;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.Ticks;
import org.dmp.schemas.serde.AvroSerde;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.Taxonomy;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.taxonomy.TaxonomyPublisher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the packaged qualifier in the middle of a stream, three times, then a last restart:
 * what it wrote to dmp.segments, read committed, equals what an uninterrupted run writes, with
 * nothing lost and nothing twice.
 *
 * <p>The events are built to make the dangerous moments common. Their times straddle a one-day
 * trait TTL and a seven-day recency window, and run a little out of order across visitors, so that
 * time alone changes memberships while events keep coming. Ticks (records that carry only time) go
 * to every partition every {@value #TICK_EVERY} events, a little ahead of the visits, so some
 * visits come late. Every {@value #JUMP_EVERY} events ticks move time eight days on, so that one
 * tick makes hundreds of profiles due at once: a kill often lands while they are being
 * re-qualified. Commits come every 20 ms, and each kill follows the sight of a committed update by
 * a random few milliseconds: just after a commit.
 *
 * <p>The test writes the ticks itself (the qualifier's ticker is off), so that the reference run
 * reads the same log.
 */
@ExtendWith(KafkaBrokerExtension.class)
class QualifierCrashIT {
  private static final AvroSerde<VisitEvent> VISITS = AvroSerde.of(VisitEvent.class);
  private static final int VISITORS = 400;
  private static final int EVENTS = 4_500;
  private static final int JUMP_EVERY = 1_500;
  private static final int TICK_EVERY = 100;
  private static final int TICKING_VISITORS = 200;

  /** A record of the visits topic and its partition. */
  private record Logged(int partition, String key, VisitEvent event) {}

  /**
   * In the past: brokers refuse records timestamped more than an hour ahead
   * (log.message.timestamp.after.max.ms).
   */
  @SuppressWarnings(
      "TimeInStaticInitializer") // Any hour forty days before the run will do; it only has to be in
  // the past.
  private static final Instant T0 =
      Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofDays(40));

  private static final String TAXONOMY =
      """
      {"dataSources": [{"id": 1, "name": "Site tags"}],
       "traits": [
         {"id": 101, "name": "Shoe page viewer", "dataSource": 1, "type": "rule", "rule": "c_category == \\"shoes\\"", "ttlDays": 1},
         {"id": 102, "name": "Big basket", "dataSource": 1, "type": "rule",
          "rule": "(c_cart >= 100 AND c_cart <= 10000) OR c_vip == \\"1\\""}],
       "segments": [
         {"id": 5001, "name": "Shoe fans", "rule": "frequency([101T]) >= 3"},
         {"id": 5002, "name": "Recent big baskets", "rule": "frequency([102T] <= 7D) >= 1"},
         {"id": 5003, "name": "Lapsed big baskets", "rule": "frequency([102T] >= 2D) >= 1 AND NOT [101T]"}]}
      """;

  private Process qualifier;

  @AfterEach
  void killLeftovers() throws InterruptedException {
    if (qualifier != null && qualifier.isAlive()) {
      qualifier.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aKilledAndRestartedQualifierWritesExactlyWhatAnUninterruptedOneWrites(
      EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
    String bootstrap = broker.bootstrapServers();
    List<String> settings =
        List.of(
            "--kafka.bootstrap=" + bootstrap,
            "--http.host=127.0.0.1",
            "--http.port=0",
            "--topic.visits.name=" + UniqueNames.topic("crash-visits"),
            "--topic.segments.name=" + UniqueNames.topic("crash-segments"),
            "--topic.idmap.name=" + UniqueNames.topic("crash-idmap"),
            "--topic.taxonomy.name=" + UniqueNames.topic("crash-taxonomy"),
            "--qualifier.application-id=" + UniqueNames.group("crash-qualifier"),
            "--qualifier.state-dir=" + dir.resolve("state"),
            "--qualifier.commit-interval=20ms",
            "--qualifier.tick-interval=0s",
            // Static membership: the restarted instance takes its partitions back without waiting
            // out the dead one's session.
            "--qualifier.instance-id=crash-test-1");
    QualifierConfig config =
        QualifierConfig.SETTINGS.read(Map.of(), settings, QualifierConfig::read);
    Topics topics = config.common().topics();
    try (Admin admin = KafkaClients.of(bootstrap).admin(Map.of())) {
      topics.createMissing(admin);
    }
    Taxonomy taxonomy = TaxonomyFile.parse("crash test", TAXONOMY);
    TaxonomyPublisher.apply(
        KafkaClients.of(bootstrap), topics.taxonomy(), taxonomy, "crash test", Clock.systemUTC());
    List<Logged> events = events(EVENTS, topics.spec(TopicRole.VISITS).partitions());
    List<String> expected =
        uninterrupted(topics, taxonomy, config.grace(), events, dir.resolve("reference"));
    assertThat(expected)
        .as("time alone changes memberships in this stream")
        .anyMatch(UpdateLines::byTime);

    produce(bootstrap, topics, events);
    long seed = System.nanoTime();
    Random random = new Random(seed);
    List<String> written = new ArrayList<>();
    try (KafkaConsumer<String, ProfileUpdate> updates = committedReader(bootstrap, topics)) {
      for (double killAt : new double[] {0.1, 0.4, 0.7}) {
        qualifier = start(settings);
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> read(updates, written) > expected.size() * killAt);
        Thread.sleep(random.nextInt(30));
        qualifier.destroyForcibly();
        assertThat(qualifier.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(written)
          .as("killed in the middle of the stream (seed %d)", seed)
          .hasSizeLessThan(expected.size());

      qualifier = start(settings);
      try {
        await()
            .atMost(Duration.ofMinutes(2))
            .until(() -> read(updates, written) >= expected.size());
      } catch (ConditionTimeoutException missing) {
        // The assertion below says which updates are missing or different.
      }
      // Anything more (a duplicate) would have been committed with the rest: read once more after
      // the last.
      read(updates, written);
    }

    assertThat(written).as("seed %d", seed).containsExactlyInAnyOrderElementsOf(expected);
  }

  /**
   * kill -9 while the qualifier's own ticker moves time on: visits stamped a day ago, on a trait
   * with a one-day TTL, so that the ticks expire them over the seconds the test runs while the
   * qualifier is killed twice. What it wrote equals what the topology writes, uninterrupted, for
   * the log as it stands (visits and the ticks the qualifier wrote, up to its last committed
   * offsets): nothing expired twice, nothing missed.
   */
  @Test
  void aQualifierKilledWhileTickingExpiresEachVisitorOnce(
      EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
    String bootstrap = broker.bootstrapServers();
    String applicationId = UniqueNames.group("ticking-qualifier");
    List<String> settings =
        List.of(
            "--kafka.bootstrap=" + bootstrap,
            "--http.host=127.0.0.1",
            "--http.port=0",
            "--topic.visits.name=" + UniqueNames.topic("ticking-visits"),
            "--topic.segments.name=" + UniqueNames.topic("ticking-segments"),
            "--topic.idmap.name=" + UniqueNames.topic("ticking-idmap"),
            "--topic.taxonomy.name=" + UniqueNames.topic("ticking-taxonomy"),
            "--qualifier.application-id=" + applicationId,
            "--qualifier.state-dir=" + dir.resolve("state"),
            "--qualifier.commit-interval=20ms",
            "--qualifier.tick-interval=50ms",
            "--qualifier.grace=500ms",
            "--qualifier.instance-id=ticking-test-1");
    QualifierConfig config =
        QualifierConfig.SETTINGS.read(Map.of(), settings, QualifierConfig::read);
    Topics topics = config.common().topics();
    try (Admin admin = KafkaClients.of(bootstrap).admin(Map.of())) {
      topics.createMissing(admin);
    }
    Taxonomy taxonomy =
        TaxonomyFile.parse(
            "ticking test",
            """
            {"dataSources": [{"id": 1, "name": "Site tags"}],
             "traits": [{"id": 101, "name": "Shoe page viewer", "dataSource": 1, "type": "rule",
                         "rule": "c_category == \\"shoes\\"", "ttlDays": 1}],
             "segments": [{"id": 5001, "name": "Shoe page viewers", "rule": "[101T]"}]}
            """);
    TaxonomyPublisher.apply(
        KafkaClients.of(bootstrap), topics.taxonomy(), taxonomy, "ticking test", Clock.systemUTC());

    // Expiries spread over the 6 to 22 seconds after now.
    Instant dayAgo = Instant.now().truncatedTo(ChronoUnit.MILLIS).minus(Duration.ofDays(1));
    int partitions = topics.spec(TopicRole.VISITS).partitions();
    Random random = new Random(7);
    List<Logged> visits = new ArrayList<>();
    for (int i = 0; i < TICKING_VISITORS; i++) {
      String visitor = "t" + i;
      visits.add(
          new Logged(
              partitionOf(visitor, partitions),
              visitor,
              VisitEvent.newBuilder()
                  .setEventId("t" + i)
                  .setVisitorId(visitor)
                  .setTime(dayAgo.plusMillis(6_000 + random.nextInt(16_000)))
                  .setSource(EventSource.EDGE)
                  .setSignals(Map.of("c_category", List.of("shoes")))
                  .build()));
    }
    Instant lastExpiry = dayAgo.plusSeconds(22).plus(Duration.ofDays(1));
    produce(bootstrap, topics, visits);

    long seed = System.nanoTime();
    List<String> written = new ArrayList<>();
    try (KafkaConsumer<String, ProfileUpdate> updates = committedReader(bootstrap, topics)) {
      Random kills = new Random(seed);
      for (int kill = 0; kill < 2; kill++) {
        qualifier = start(settings);
        int before = written.size();
        await().atMost(Duration.ofSeconds(90)).until(() -> read(updates, written) > before);
        Thread.sleep(2_000 + kills.nextInt(3_000));
        qualifier.destroyForcibly();
        assertThat(qualifier.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      qualifier = start(settings);
      try {
        await()
            .atMost(Duration.ofMinutes(2))
            .until(
                () -> {
                  read(updates, written);
                  return written.stream().filter(UpdateLines::byTime).count() >= TICKING_VISITORS;
                });
      } catch (ConditionTimeoutException missing) {
        // The assertion below says which are missing.
      }
      assertThat(Instant.now()).as("seed %d", seed).isAfter(lastExpiry);
      // A graceful stop commits what was processed: the reference reads the log up to there.
      qualifier.destroy();
      assertThat(qualifier.waitFor(60, TimeUnit.SECONDS)).isTrue();
      read(updates, written);
    }

    Map<Integer, Long> committed = committedOffsets(bootstrap, applicationId, topics);
    List<Logged> log = readLog(bootstrap, topics, committed);
    assertThat(log).as("the qualifier wrote ticks").anyMatch(logged -> logged.key() == null);
    List<String> expected =
        uninterrupted(topics, taxonomy, config.grace(), log, dir.resolve("reference"));
    assertThat(expected.stream().filter(UpdateLines::byTime))
        .as("every visitor expired, by ticks alone")
        .hasSize(TICKING_VISITORS);
    assertThat(written).as("seed %d", seed).containsExactlyInAnyOrderElementsOf(expected);
  }

  private static int partitionOf(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** The next offset to process of each visits partition, as the application last committed. */
  private static Map<Integer, Long> committedOffsets(
      String bootstrap, String applicationId, Topics topics) throws Exception {
    try (Admin admin = KafkaClients.of(bootstrap).admin(Map.of())) {
      Map<Integer, Long> offsets = new TreeMap<>();
      admin
          .listConsumerGroupOffsets(applicationId)
          .partitionsToOffsetAndMetadata()
          .get(30, TimeUnit.SECONDS)
          .forEach(
              (partition, offset) -> {
                if (partition.topic().equals(topics.name(TopicRole.VISITS))) {
                  offsets.put(partition.partition(), offset.offset());
                }
              });
      return offsets;
    }
  }

  /** Every record of the visits topic before {@code ends}, partition by partition. */
  private static List<Logged> readLog(String bootstrap, Topics topics, Map<Integer, Long> ends) {
    List<Logged> log = new ArrayList<>();
    try (KafkaConsumer<String, VisitEvent> consumer =
        KafkaClients.of(bootstrap)
            .consumer(Map.of(), new StringDeserializer(), VISITS.deserializer())) {
      ends.forEach(
          (partition, end) -> {
            TopicPartition topicPartition =
                new TopicPartition(topics.name(TopicRole.VISITS), partition);
            consumer.assign(List.of(topicPartition));
            consumer.seekToBeginning(List.of(topicPartition));
            while (consumer.position(topicPartition) < end) {
              for (var record : consumer.poll(Duration.ofMillis(500))) {
                if (record.offset() < end) {
                  log.add(new Logged(partition, record.key(), record.value()));
                }
              }
            }
          });
    }
    return log;
  }

  /**
   * What the topology writes for the same log with no interruption, as (visitor, version, segments,
   * added, removed, time, cause). Stream time is a task's, and a task reads one partition, so each
   * partition's records go through a driver of their own.
   */
  private static List<String> uninterrupted(
      Topics topics, Taxonomy taxonomy, Duration grace, List<Logged> events, Path stateDir) {
    Map<Integer, List<Logged>> byPartition = new TreeMap<>();
    events.forEach(
        logged ->
            byPartition.computeIfAbsent(logged.partition(), any -> new ArrayList<>()).add(logged));
    CompiledTaxonomy compiled = new CompiledTaxonomy(taxonomy);
    List<String> written = new ArrayList<>();
    byPartition.forEach(
        (partition, partitionEvents) -> {
          Properties config = new Properties();
          config.put(StreamsConfig.APPLICATION_ID_CONFIG, "reference");
          config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
          config.put(
              StreamsConfig.STATE_DIR_CONFIG,
              stateDir.resolve(Integer.toString(partition)).toString());
          try (var driver =
              new TopologyTestDriver(
                  QualifierTopology.build(
                      topics,
                      () -> compiled,
                      org.dmp.qualifier.profile.ProfileBounds.defaults(100),
                      grace,
                      QualifierTopology.Storage.IN_MEMORY,
                      Duration.ofSeconds(5)),
                  config)) {
            var input =
                driver.createInputTopic(
                    topics.name(TopicRole.VISITS),
                    Serdes.String().serializer(),
                    VISITS.serializer());
            var output =
                driver.createOutputTopic(
                    topics.name(TopicRole.SEGMENTS),
                    Serdes.String().deserializer(),
                    AvroSerde.of(ProfileUpdate.class).deserializer());
            partitionEvents.forEach(logged -> input.pipeInput(logged.key(), logged.event()));
            output.readValuesToList().forEach(update -> written.add(UpdateLines.describe(update)));
          }
        });
    return written;
  }

  /**
   * Visitors each alternating shoe pages and baskets, two hours of event time apart on average and
   * up to an hour out of order, with ticks on every partition, and a jump of eight days every
   * {@value #JUMP_EVERY} events.
   */
  private static List<Logged> events(int count, int partitions) {
    Random random = new Random(42);
    List<Logged> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Instant base =
          T0.plus(Duration.ofDays(8L * (i / JUMP_EVERY))).plus(Duration.ofSeconds(18L * i));
      if (i % TICK_EVERY == 0) {
        for (int partition = 0; partition < partitions; partition++) {
          events.add(new Logged(partition, null, Ticks.at(base.plus(Duration.ofMinutes(30)))));
        }
      }
      String visitor = "v" + (i % VISITORS);
      Map<String, List<String>> signals =
          switch (i / VISITORS % 3) {
            case 0 -> Map.of("c_category", List.of("shoes"));
            case 1 -> Map.of("c_cart", List.of(Integer.toString(50 + i % 200)));
            default -> Map.of("c_vip", List.of(i % 2 == 0 ? "1" : "0"));
          };
      Instant time = base.minus(Duration.ofSeconds(random.nextInt(3_600)));
      events.add(
          new Logged(
              partitionOf(visitor, partitions),
              visitor,
              VisitEvent.newBuilder()
                  .setEventId("e" + i)
                  .setVisitorId(visitor)
                  .setTime(time)
                  .setSource(EventSource.EDGE)
                  .setSignals(signals)
                  .build()));
    }
    return events;
  }

  private static void produce(String bootstrap, Topics topics, List<Logged> events)
      throws Exception {
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all"),
            new StringSerializer(),
            VISITS.serializer())) {
      for (Logged logged : events) {
        producer.send(
            new ProducerRecord<>(
                topics.name(TopicRole.VISITS), logged.partition(), logged.key(), logged.event()));
      }
      producer.flush();
    }
  }

  private static Process start(List<String> settings) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                // Each qualifier here lives seconds: compiling with C2 would cost more CPU than
                // the code it makes saves, on the two cores the build shares.
                "-XX:TieredStopAtLevel=1",
                "-jar",
                Path.of("target", "qualifier.jar").toString()));
    command.addAll(settings);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        // Every run of the qualifier appends here, for a failure to be read afterwards.
        .redirectOutput(
            ProcessBuilder.Redirect.appendTo(Path.of("target", "qualifier-crash-it.log").toFile()))
        .start();
  }

  private static KafkaConsumer<String, ProfileUpdate> committedReader(
      String bootstrap, Topics topics) {
    KafkaConsumer<String, ProfileUpdate> consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                UniqueNames.group("crash-reader"),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            AvroSerde.of(ProfileUpdate.class).deserializer());
    consumer.subscribe(List.of(topics.name(TopicRole.SEGMENTS)));
    return consumer;
  }

  private static int read(KafkaConsumer<String, ProfileUpdate> consumer, List<String> into) {
    consumer
        .poll(Duration.ofMillis(500))
        .forEach(record -> into.add(UpdateLines.describe(record.value())));
    return into.size();
  }
}
