package org.dmp.cli.bench;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.dmp.avro.DataSource;
import org.dmp.avro.EventSource;
import org.dmp.avro.InboundIds;
import org.dmp.avro.Segment;
import org.dmp.avro.Trait;
import org.dmp.avro.TraitType;
import org.dmp.avro.VisitEvent;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.qualifier.QualifierConfig;
import org.dmp.qualifier.profile.QualifierTopology;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.topics.Topic;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.Taxonomy;
import org.dmp.taxonomy.TaxonomyPublisher;
import org.dmp.taxonomy.TaxonomyView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Events per second through the real topology (exactly_once_v2, RocksDB, embedded broker), once
 * with a 10-trait taxonomy and once with 10,000 traits, over the same events: the ratio shows
 * whether the cost of an event grows with the taxonomy.
 */
@Command(
    name = "qualifier",
    description = {
      "Measures events/s through the qualifier with a 10-trait and a 10,000-trait taxonomy on an embedded broker.",
      "Ends with one JSON line: small_taxonomy_eps, large_taxonomy_eps, ratio."
    })
final class QualifierBench implements Callable<Integer> {
  private static final int KEYS = 1_000;
  private static final int KEYS_PER_EVENT = 10;
  private static final int VALUES = 100;

  @Spec private CommandSpec spec;

  @Option(
      names = "--events",
      description = "Events per run (default: ${DEFAULT-VALUE}).",
      defaultValue = "200000")
  private int events;

  @Option(
      names = "--values",
      description = {
        "Distinct values per key in the events (default: ${DEFAULT-VALUE}).",
        "The qualifier remembers what a value gave, up to a bound; many more distinct values show the cost when it cannot."
      },
      defaultValue = "" + VALUES)
  private int values;

  @Option(
      names = "--visitors",
      description = "Distinct visitors (default: ${DEFAULT-VALUE}).",
      defaultValue = "50000")
  private int visitors;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (ScratchDirectory scratch = ScratchDirectory.onDisk("dmp-bench-qualifier-");
        EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(scratch.resolve("kafka"), 0, Map.of())) {
      Path dataDir = scratch.path();
      String bootstrap = broker.bootstrapServers();
      QualifierConfig small = config(bootstrap, dataDir, "small");
      QualifierConfig large = config(bootstrap, dataDir, "large");
      try (Admin admin = KafkaClients.of(bootstrap).admin(Map.of())) {
        small.common().topics().createMissing(admin);
        large.common().topics().createMissing(admin);
      }
      TaxonomyPublisher.apply(
          KafkaClients.of(bootstrap),
          small.common().topics().taxonomy(),
          taxonomy(10),
          "10 traits",
          Clock.systemUTC());
      TaxonomyPublisher.apply(
          KafkaClients.of(bootstrap),
          large.common().topics().taxonomy(),
          taxonomy(10_000),
          "10,000 traits",
          Clock.systemUTC());
      produce(bootstrap, small.common().topics().visits(), EVENTS_FROM, events, values, visitors);
      out.printf(
          "%d events of %d keys each (of %d values), %d visitors%n",
          events, KEYS_PER_EVENT, values, visitors);
      out.flush();

      double smallEps = run(small, out, "10 traits");
      double largeEps = run(large, out, "10,000 traits");
      out.println(
          new JsonObject()
              .put("events", events)
              .put("small_taxonomy_eps", Math.round(smallEps))
              .put("large_taxonomy_eps", Math.round(largeEps))
              .put("ratio", Math.round(largeEps / smallEps * 1000) / 1000.0)
              .encode());
      out.flush();
    }
    return 0;
  }

  /**
   * Both runs read the same visits topic, each with its own application id, taxonomy and outputs.
   */
  private static QualifierConfig config(String bootstrap, Path dataDir, String name) {
    return QualifierConfig.SETTINGS.read(
        System.getenv(),
        List.of(
            "--kafka.bootstrap=" + bootstrap,
            "--topic.visits.name=bench.visits",
            "--topic.segments.name=bench.segments." + name,
            "--topic.idmap.name=bench.idmap." + name,
            "--topic.taxonomy.name=bench.taxonomy." + name,
            "--topic.visits-rejected.name=bench.rejected." + name,
            "--topic.deliveries.name=bench.deliveries." + name,
            "--topic.deadletter.name=bench.deadletter." + name,
            "--qualifier.application-id=bench-qualifier-" + name,
            "--qualifier.state-dir=" + dataDir.resolve("state-" + name)),
        QualifierConfig::read);
  }

  private double run(QualifierConfig config, PrintWriter out, String name) throws Exception {
    Topics topics = config.common().topics();
    try (TaxonomyView taxonomy =
        TaxonomyView.follow("bench-taxonomy", config.common().kafka(), topics.taxonomy())) {
      taxonomy.caughtUp().get(60, TimeUnit.SECONDS);
      KafkaStreams streams =
          new KafkaStreams(
              QualifierTopology.build(
                  topics,
                  taxonomy,
                  config.profileBounds(),
                  config.grace(),
                  QualifierTopology.Storage.ON_DISK,
                  config.populationsEvery()),
              config.streamsProperties());
      Instant start = Instant.now();
      streams.start();
      try {
        awaitAllCommitted(config);
      } finally {
        streams.close(Duration.ofSeconds(30));
      }
      double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
      double eps = events / seconds;
      out.printf("%s: %d events in %.1f s, %.0f events/s%n", name, events, seconds, eps);
      out.flush();
      return eps;
    }
  }

  /** Waits until the application's committed offsets reach the end of the visits topic. */
  private void awaitAllCommitted(QualifierConfig config) throws Exception {
    String visits = config.common().topics().name(TopicRole.VISITS);
    try (Admin admin = KafkaClients.of(config.common().bootstrap()).admin(Map.of())) {
      Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
      admin
          .describeTopics(List.of(visits))
          .allTopicNames()
          .get()
          .get(visits)
          .partitions()
          .forEach(
              partition ->
                  latest.put(
                      new TopicPartition(visits, partition.partition()), OffsetSpec.latest()));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin.listOffsets(latest).all().get();
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin
                .listConsumerGroupOffsets(config.applicationId())
                .partitionsToOffsetAndMetadata()
                .get();
        boolean done =
            ends.entrySet().stream()
                .allMatch(
                    end ->
                        committed.containsKey(end.getKey())
                            && committed.get(end.getKey()).offset() >= end.getValue().offset());
        if (done) {
          return;
        }
        Thread.sleep(50);
      }
    }
  }

  /** When the events of this bench begin. */
  static final Instant EVENTS_FROM = Instant.parse("2026-11-23T00:00:00Z");

  /** How far apart in event time the events {@link #produce} writes are. */
  static final long EVENT_SPACING_MILLIS = 10;

  /**
   * {@code events} events of {@value #KEYS_PER_EVENT} keys each, from {@code visitors} visitors,
   * each key taking one of {@code values} values.
   */
  static void produce(
      String bootstrap,
      Topic<String, VisitEvent> topic,
      Instant t0,
      int events,
      int values,
      int visitors)
      throws Exception {
    SplittableRandom random = new SplittableRandom(42);
    try (var producer =
        KafkaClients.of(bootstrap)
            .producer(
                Map.<String, Object>of(
                    ProducerConfig.LINGER_MS_CONFIG,
                    20,
                    ProducerConfig.BATCH_SIZE_CONFIG,
                    256 * 1024),
                topic.keys().serializer(),
                topic.values().serializer())) {
      for (int i = 0; i < events; i++) {
        Map<String, List<String>> signals = new LinkedHashMap<>();
        while (signals.size() < KEYS_PER_EVENT) {
          signals.put("c_k" + random.nextInt(KEYS), List.of("v" + random.nextInt(values)));
        }
        String visitor = Integer.toString(random.nextInt(visitors));
        producer.send(
            new ProducerRecord<>(
                topic.name(),
                visitor,
                VisitEvent.newBuilder()
                    .setEventId("e" + i)
                    .setVisitorId(visitor)
                    .setTime(t0.plusMillis(i * EVENT_SPACING_MILLIS))
                    .setSource(EventSource.EDGE)
                    .setSignals(signals)
                    .build()));
      }
      producer.flush();
    }
  }

  /**
   * Realistic shapes over the 1,000 keys events use: equality, ranges, contains and OR of two keys;
   * a tenth of the traits feed segments of frequency, recency and NOT terms.
   */
  static Taxonomy taxonomy(int traitCount) {
    SplittableRandom random = new SplittableRandom(7);
    List<Trait> traits = new ArrayList<>();
    for (int i = 0; i < traitCount; i++) {
      String key = "c_k" + (traitCount <= KEYS ? i : random.nextInt(KEYS));
      // Each shape matches a few percent of the values a key takes, as page attributes do.
      String rule =
          switch (i % 4) {
            case 0 -> key + " == \"v" + random.nextInt(VALUES) + "\"";
            case 1 ->
                key
                    + " endswith \""
                    + random.nextInt(VALUES)
                    + "\" AND "
                    + key
                    + " startswith \"v\"";
            case 2 ->
                "("
                    + key
                    + " == \"v1\" OR c_k"
                    + random.nextInt(KEYS)
                    + " == \"v2\") AND NOT "
                    + key
                    + " == \"v3\"";
            default -> key + " matchesregex \"^v9[0-4]$\"";
          };
      traits.add(new Trait((long) i + 1, "trait " + i, null, 1L, TraitType.RULE, rule, 30));
    }
    List<Segment> segments = new ArrayList<>();
    for (int i = 0; i < Math.max(1, traitCount / 10); i++) {
      long a = 1L + random.nextInt(traitCount);
      long b = 1L + random.nextInt(traitCount);
      String rule =
          switch (i % 3) {
            case 0 -> "frequency([" + a + "T, " + b + "T]) >= 2";
            case 1 -> "frequency([" + a + "T] <= 7D) >= 1 AND NOT [" + b + "T]";
            default -> "[" + a + "T] OR [" + b + "T]";
          };
      segments.add(new Segment(10_000_000L + i, "segment " + i, null, rule));
    }
    return new Taxonomy(
        List.of(new DataSource(1L, "bench", null, null, null, InboundIds.PARTNER, List.of())),
        traits,
        segments,
        List.of());
  }
}
