package org.dmp.console;

import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.dmp.avro.DeadLetter;
import org.dmp.avro.DeliveryChannel;
import org.dmp.avro.PartnerSegmentUpdate;
import org.dmp.avro.Population;
import org.dmp.avro.PopulationBucket;
import org.dmp.avro.PopulationKind;
import org.dmp.avro.ReplayDifference;
import org.dmp.avro.ReplayRun;
import org.dmp.avro.ReplayState;
import org.dmp.avro.SegmentDifference;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.runtime.replay.ReplayRuns;
import org.dmp.schemas.serde.AvroSerde;
import org.dmp.schemas.topics.Topic;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.taxonomy.TaxonomyPublisher;

/**
 * A console started for a test on its own taxonomy topic, holding the sample taxonomy, with an
 * operator token and a user "ada" whose password is {@link #PASSWORD}.
 */
final class ConsoleUnderTest implements AutoCloseable {
  static final String TOKEN = "console-operator-token";
  static final String PASSWORD = "correct horse battery";
  private static final Duration START = Duration.ofSeconds(60);

  final ConsoleConfig config;
  final ConsoleMain.Console console;
  final String base;
  private final Vertx vertx;

  private ConsoleUnderTest(ConsoleConfig config, ConsoleMain.Console console, Vertx vertx) {
    this.config = config;
    this.console = console;
    this.vertx = vertx;
    this.base = "http://127.0.0.1:" + console.service().httpPort();
  }

  static ConsoleUnderTest start(EmbeddedKafkaBroker broker) throws Exception {
    String bootstrap = broker.bootstrapServers();
    ConsoleConfig config =
        ConsoleConfig.SETTINGS.read(
            Map.of(),
            List.of(
                "--kafka.bootstrap=" + bootstrap,
                "--http.host=127.0.0.1",
                "--http.port=0",
                "--operator.token=" + TOKEN,
                "--console.user=ada",
                "--topic.taxonomy.name=" + UniqueNames.topic("console-taxonomy"),
                "--topic.populations.name=" + UniqueNames.topic("console-populations"),
                "--topic.deadletter.name=" + UniqueNames.topic("console-deadletter"),
                // Runs' own topics are named beside the runs topic: dmp-console-N.replay.<run>.
                "--topic.replay-runs.name=" + UniqueNames.topic("console") + ".replay.runs"),
            ConsoleConfig::read);
    try (Admin admin = KafkaClients.of(bootstrap).admin(Map.of())) {
      config.common().topics().createMissing(admin);
    }
    TaxonomyPublisher.apply(
        config.common().kafka(),
        config.common().topics().taxonomy(),
        TaxonomyFile.sample(),
        "console test",
        Clock.systemUTC());
    Vertx vertx = Vertx.vertx();
    ConsoleMain.Console console =
        MainThread.await(
            ConsoleMain.start(
                vertx,
                config,
                name ->
                    name.equals("DMP_CONSOLE_PASSWORD") ? Optional.of(PASSWORD) : Optional.empty()),
            START,
            "starting the console");
    return new ConsoleUnderTest(config, console, vertx);
  }

  /** A delivery to destination 9001 given up on, with one user's change. */
  DeadLetter writeDeadLetter() throws Exception {
    DeadLetter letter =
        new DeadLetter(
            9001L,
            DeliveryChannel.HTTP,
            "9001-0-4-4",
            "permanent failure: HTTP 400",
            1,
            Instant.parse("2026-12-01T10:00:00Z"),
            Instant.parse("2026-12-01T10:00:01Z"),
            List.of(
                new PartnerSegmentUpdate(
                    "v1:3",
                    9001L,
                    20001L,
                    "p-v1",
                    "v1",
                    List.of("fans"),
                    List.of(),
                    Instant.parse("2026-12-01T09:59:59Z"))),
            null);
    Topic<String, DeadLetter> topic = config.common().topics().deadLetters();
    try (KafkaProducer<String, DeadLetter> producer =
        config
            .common()
            .kafka()
            .producer(Map.of(), topic.keys().serializer(), topic.values().serializer())) {
      producer.send(new ProducerRecord<>(topic.name(), "9001", letter)).get();
    }
    return letter;
  }

  /**
   * Segment 5001 as two qualifier partitions count it: partition 0 saw two join at 10:00 and one
   * leave at 12:00, partition 1 one join at 11:00.
   */
  void writePopulations() throws Exception {
    Topic<String, Population> topic = config.common().topics().populations();
    Instant ten = Instant.parse("2026-12-01T10:00:00Z");
    Population zero =
        new Population(
            PopulationKind.SEGMENT,
            5001L,
            0,
            1L,
            List.of(
                new PopulationBucket(ten, 2L, 0L, 2L),
                new PopulationBucket(ten.plusSeconds(7200), 0L, 1L, 1L)),
            List.of(new PopulationBucket(ten.truncatedTo(ChronoUnit.DAYS), 2L, 1L, 1L)),
            ten.plusSeconds(7300));
    Population one =
        new Population(
            PopulationKind.SEGMENT,
            5001L,
            1,
            1L,
            List.of(new PopulationBucket(ten.plusSeconds(3600), 1L, 0L, 1L)),
            List.of(new PopulationBucket(ten.truncatedTo(ChronoUnit.DAYS), 1L, 0L, 1L)),
            ten.plusSeconds(7300));
    try (KafkaProducer<String, Population> producer =
        config
            .common()
            .kafka()
            .producer(Map.of(), topic.keys().serializer(), topic.values().serializer())) {
      producer.send(new ProducerRecord<>(topic.name(), "segment:5001/0", zero)).get();
      producer.send(new ProducerRecord<>(topic.name(), "segment:5001/1", one)).get();
    }
  }

  /**
   * A replay run as dmp replay records one: done, segment 5001 gaining two visitors and losing one,
   * and its three differences on the run's own topic.
   */
  ReplayRun writeReplayRun() throws Exception {
    ReplayRun run =
        ReplayRun.newBuilder()
            .setRun("20261201-120000-abcd")
            .setState(ReplayState.DONE)
            .setCreatedAt(Instant.parse("2026-12-01T12:00:00Z"))
            .setUpdatedAt(Instant.parse("2026-12-01T12:01:00Z"))
            .setFrom(Instant.parse("2026-11-01T00:00:00Z"))
            .setTo(null)
            .setReadFrom(Instant.parse("2026-10-01T00:00:00Z"))
            .setTaxonomy("taxonomy in force")
            .setTaxonomyRevision(1)
            .setSegments(List.of())
            .setVisitors(null)
            .setStartOffsets(Map.of())
            .setLastOffsets(Map.of())
            .setEventsRead(1200)
            .setRecordsSkipped(0)
            .setVisitorsCompared(300)
            .setSummary(List.of(new SegmentDifference(5001L, 2L, 1L, 40L)))
            .setDetail(null)
            .setTraits(List.of())
            .setAppliedAt(null)
            .setCorrections(0)
            .build();
    Topics topics = config.common().topics();
    String differences = ReplayRuns.differencesTopic(topics, run.getRun());
    try (Admin admin = config.common().kafka().admin(Map.of())) {
      admin.createTopics(List.of(new NewTopic(differences, 1, (short) 1))).all().get();
    }
    try (KafkaProducer<String, ReplayDifference> producer =
        config
            .common()
            .kafka()
            .producer(
                Map.of(),
                new StringSerializer(),
                AvroSerde.of(ReplayDifference.class).serializer())) {
      for (String visitor : List.of("11", "12", "13")) {
        producer
            .send(
                new ProducerRecord<>(
                    differences,
                    visitor,
                    ReplayDifference.newBuilder()
                        .setRun(run.getRun())
                        .setVisitorId(visitor)
                        .setJoined(visitor.equals("13") ? List.of() : List.of(5001L))
                        .setLeft(visitor.equals("13") ? List.of(5001L) : List.of())
                        .setSegments(visitor.equals("13") ? List.of() : List.of(5001L))
                        .setLiveVersion(1)
                        .setEvaluatedAt(Instant.parse("2026-12-01T12:00:30Z"))
                        .setRealizations(Map.of())
                        .build()))
            .get();
      }
    }
    ReplayRuns.write(config.common().kafka(), topics, run);
    return run;
  }

  @Override
  public void close() throws Exception {
    MainThread.await(vertx.close(), START, "stopping the console");
  }
}
