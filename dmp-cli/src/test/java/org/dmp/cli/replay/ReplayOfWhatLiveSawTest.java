package org.dmp.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.dmp.avro.EventSource;
import org.dmp.avro.Profile;
import org.dmp.avro.ProfileUpdate;
import org.dmp.avro.VisitEvent;
import org.dmp.config.ConfigReader;
import org.dmp.config.Settings;
import org.dmp.qualifier.profile.QualifierTopology;
import org.dmp.qualifier.profile.ReplayBounds;
import org.dmp.qualifier.profile.ReplayProgress;
import org.dmp.schemas.Ticks;
import org.dmp.schemas.serde.AvroSerde;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.TaxonomyFile;

/**
 * A replay of a window that live processing already saw finds no difference, whatever the taxonomy
 * and the events: the live qualifier runs over a whole log, the shadow over the same log from the
 * offset of {@code --from} less the warm-up (as {@code dmp replay} starts it), and the two
 * memberships are compared as a run compares them.
 */
class ReplayOfWhatLiveSawTest {
  private static final Instant T0 = Instant.parse("2026-10-01T10:00:00Z");
  private static final Duration GRACE = Duration.ofSeconds(2);
  private static final List<String> KEYS = List.of("c_a", "c_b", "c_c");
  private static final RandomDistribution UNIFORM = RandomDistribution.uniform();
  private static final Topics TOPICS =
      Topics.read(
          new ConfigReader(
              Settings.load("test", List.of(Topics.DEFAULTS), Map.of(), List.of(), Map.of())));

  /** One record of the log: a tick when {@code visitor} is negative; signals a bit set of KEYS. */
  record Entry(int visitor, int signals, long stepMillis, long lateMillis) {}

  @Property(tries = 50)
  @StatisticsReport(onFailureOnly = true)
  void aReplayOfWhatLiveSawFindsNoDifference(
      @ForAll("taxonomies") String taxonomyJson,
      @ForAll("logs") List<Entry> log,
      @ForAll @IntRange(min = 30, max = 100) int fromPercent) {
    CompiledTaxonomy taxonomy =
        new CompiledTaxonomy(TaxonomyFile.parse("random taxonomy", taxonomyJson), 1);
    List<VisitEvent> records = records(log);
    Instant from = records.get((records.size() - 1) * fromPercent / 100).getTime();
    Set<Long> segments = ReplayRequest.segments(null, taxonomy);
    Instant readFrom =
        ReplayRequest.longestWindow(segments, taxonomy).map(from::minus).orElse(Instant.EPOCH);
    // The offset for a time: the first record stamped at or after it.
    int start = 0;
    while (start < records.size() && records.get(start).getTime().isBefore(readFrom)) {
      start++;
    }

    Map<String, ProfileUpdate> live = live(taxonomy, records);
    Map<String, Profile> shadow = shadow(taxonomy, records.subList(start, records.size()));

    MembershipDiff diff = new MembershipDiff(segments);
    List<MembershipDiff.Change> differences = new ArrayList<>();
    shadow.forEach(
        (visitor, profile) -> {
          if (profile.getEvaluatedAt() >= from.toEpochMilli()) {
            ProfileUpdate latest = live.get(visitor);
            diff.compare(
                    visitor,
                    new MembershipDiff.Side(Set.copyOf(profile.getSegments()), false, 0),
                    latest == null
                        ? MembershipDiff.Side.NONE
                        : new MembershipDiff.Side(
                            Set.copyOf(latest.getSegments()),
                            latest.getOptedOut(),
                            latest.getVersion()))
                .ifPresent(differences::add);
          }
        });

    assertThat(differences).isEmpty();
    // The property says little unless visitors are compared, in segments, after a warm-up.
    Statistics.label("a member compared")
        .collect(diff.summary().stream().anyMatch(segment -> segment.getStays() > 0))
        .coverage(coverage -> coverage.check(true).percentage(share -> share >= 40));
    Statistics.label("reading started after the log's first record")
        .collect(start > 0)
        .coverage(coverage -> coverage.check(true).percentage(share -> share >= 30));
  }

  @Provide
  Arbitrary<String> taxonomies() {
    // A trait kept for ever makes a run read the whole log: rarer, so that most runs warm up.
    Arbitrary<String> ttl =
        Arbitraries.frequency(
            Tuple.of(1, ""),
            Tuple.of(3, ", \"ttlDays\": 1"),
            Tuple.of(3, ", \"ttlDays\": 3"),
            Tuple.of(2, ", \"ttlDays\": 10"));
    Arbitrary<Integer> trait = Arbitraries.integers().between(301, 303);
    Arbitrary<String> rule =
        Arbitraries.oneOf(
            Combinators.combine(trait, Arbitraries.integers().between(1, 3))
                .as((t, count) -> "frequency([" + t + "T]) >= " + count),
            Combinators.combine(trait, Arbitraries.integers().between(1, 5))
                .as((t, days) -> "frequency([" + t + "T] <= " + days + "D) >= 1"),
            Combinators.combine(trait, trait).as((a, b) -> "[" + a + "T] AND NOT [" + b + "T]"),
            Combinators.combine(trait, trait).as((a, b) -> "[" + a + "T] OR [" + b + "T]"));
    return Combinators.combine(ttl.list().ofSize(3), rule.list().ofMinSize(1).ofMaxSize(3))
        .as(
            (ttls, rules) -> {
              StringBuilder json =
                  new StringBuilder(
                      "{\"dataSources\": [{\"id\": 1, \"name\": \"site\"}], \"traits\": [");
              for (int i = 0; i < 3; i++) {
                json.append(i == 0 ? "" : ", ")
                    .append("{\"id\": ")
                    .append(301 + i)
                    .append(", \"name\": \"t")
                    .append(i)
                    .append("\", \"dataSource\": 1, \"type\": \"rule\", \"rule\": \"")
                    .append(KEYS.get(i))
                    .append(" == \\\"1\\\"\"")
                    .append(ttls.get(i))
                    .append("}");
              }
              json.append("], \"segments\": [");
              for (int i = 0; i < rules.size(); i++) {
                json.append(i == 0 ? "" : ", ")
                    .append("{\"id\": ")
                    .append(6001 + i)
                    .append(", \"name\": \"s")
                    .append(i)
                    .append("\", \"rule\": \"")
                    .append(rules.get(i))
                    .append("\"}");
              }
              return json.append("]}").toString();
            });
  }

  @Provide
  Arbitrary<List<Entry>> logs() {
    Arbitrary<Entry> entry =
        Combinators.combine(
                Arbitraries.integers().between(-1, 4),
                Arbitraries.integers().between(0, 7),
                // Steps: a few seconds (within the grace), or up to four days.
                Arbitraries.frequencyOf(
                    Tuple.of(1, Arbitraries.longs().between(0, 10_000).withDistribution(UNIFORM)),
                    Tuple.of(
                        3,
                        Arbitraries.longs().between(0, 4 * 86_400_000L).withDistribution(UNIFORM))),
                // Lateness: none, within the grace, or days.
                Arbitraries.frequencyOf(
                    Tuple.of(8, Arbitraries.just(0L)),
                    Tuple.of(1, Arbitraries.longs().between(0, 3_000).withDistribution(UNIFORM)),
                    Tuple.of(
                        1,
                        Arbitraries.longs().between(0, 4 * 86_400_000L).withDistribution(UNIFORM))))
            .as(Entry::new);
    return entry.list().ofMinSize(10).ofMaxSize(80);
  }

  /** The log as written, each record stamped with its event time, and an end tick a day on. */
  private static List<VisitEvent> records(List<Entry> log) {
    List<VisitEvent> records = new ArrayList<>();
    long clock = T0.toEpochMilli();
    int sequence = 0;
    for (Entry entry : log) {
      clock += entry.stepMillis();
      Instant time = Instant.ofEpochMilli(clock - entry.lateMillis());
      if (entry.visitor() < 0) {
        records.add(Ticks.at(time));
        continue;
      }
      Map<String, List<String>> signals = new HashMap<>();
      for (int key = 0; key < KEYS.size(); key++) {
        signals.put(KEYS.get(key), List.of((entry.signals() >> key & 1) == 1 ? "1" : "0"));
      }
      String visitor = "v" + entry.visitor();
      records.add(
          VisitEvent.newBuilder()
              .setEventId("e" + sequence++)
              .setVisitorId(visitor)
              .setTime(time)
              .setSource(EventSource.EDGE)
              .setSignals(signals)
              .build());
    }
    records.add(Ticks.at(Instant.ofEpochMilli(clock).plus(Duration.ofDays(1))));
    return records;
  }

  /** Every visitor's latest update, as the live qualifier wrote them. */
  private static Map<String, ProfileUpdate> live(
      CompiledTaxonomy taxonomy, List<VisitEvent> records) {
    Map<String, ProfileUpdate> latest = new HashMap<>();
    run(
        QualifierTopology.build(
            TOPICS,
            () -> taxonomy,
            org.dmp.qualifier.profile.ProfileBounds.defaults(100),
            GRACE,
            QualifierTopology.Storage.IN_MEMORY,
            Duration.ofSeconds(5)),
        records,
        driver ->
            driver
                .createOutputTopic(
                    TOPICS.name(TopicRole.SEGMENTS),
                    Serdes.String().deserializer(),
                    AvroSerde.of(ProfileUpdate.class).deserializer())
                .readKeyValuesToList()
                .forEach(update -> latest.put(update.key, update.value)));
    return latest;
  }

  /** The shadow's profiles once it has read its records. */
  private static Map<String, Profile> shadow(CompiledTaxonomy taxonomy, List<VisitEvent> records) {
    Map<String, Profile> profiles = new HashMap<>();
    run(
        QualifierTopology.shadow(
            TOPICS,
            () -> taxonomy,
            org.dmp.qualifier.profile.ProfileBounds.defaults(100),
            GRACE,
            new ReplayBounds(
                Map.of(0, (long) records.size() - 1), Optional.empty(), Optional.empty()),
            new ReplayProgress(),
            "replay-updates",
            QualifierTopology.Storage.IN_MEMORY,
            1 << 20),
        records,
        driver -> {
          KeyValueStore<String, Profile> store =
              driver.getKeyValueStore(QualifierTopology.PROFILES);
          try (var all = store.all()) {
            all.forEachRemaining(entry -> profiles.put(entry.key, entry.value));
          }
        });
    return profiles;
  }

  private static void run(
      Topology topology,
      List<VisitEvent> records,
      java.util.function.Consumer<TopologyTestDriver> afterwards) {
    Path stateDir = temporaryFolder();
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "replay-of-what-live-saw");
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    try (var driver = new TopologyTestDriver(topology, config)) {
      var visits =
          driver.createInputTopic(
              TOPICS.name(TopicRole.VISITS),
              Serdes.String().serializer(),
              AvroSerde.of(VisitEvent.class).serializer());
      for (VisitEvent record : records) {
        String key = record.getVisitorId().isEmpty() ? null : record.getVisitorId();
        visits.pipeInput(key, record, record.getTime());
      }
      afterwards.accept(driver);
    } finally {
      delete(stateDir);
    }
  }

  private static Path temporaryFolder() {
    try {
      return Files.createTempDirectory("replay-of-what-live-saw");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path folder) {
    try (Stream<Path> paths = Files.walk(folder)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
