package org.dmp.qualifier.populations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.dmp.avro.EventSource;
import org.dmp.avro.Population;
import org.dmp.avro.PopulationBucket;
import org.dmp.avro.PopulationKind;
import org.dmp.avro.VisitEvent;
import org.dmp.config.ConfigReader;
import org.dmp.config.Settings;
import org.dmp.qualifier.profile.ProfileBounds;
import org.dmp.qualifier.profile.QualifierTopology;
import org.dmp.schemas.serde.AvroSerde;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.TaxonomyFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trait and segment populations as the qualifier's topology counts them, on the sample taxonomy:
 * trait 101 (shoe pages), segment 5001 (three shoe pages), trait 102 (a big basket) and segment
 * 5002 (a big basket in the last seven days). Both traits keep a realization 120 days.
 */
class PopulationCountsTest {
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  private static final CompiledTaxonomy SAMPLE = new CompiledTaxonomy(TaxonomyFile.sample());
  private static final Duration TTL = Duration.ofDays(120);
  static final Duration EVERY = Duration.ofSeconds(5);

  private TopologyTestDriver driver;
  private TestInputTopic<String, VisitEvent> visits;
  private final Map<String, Population> written = new HashMap<>();
  private Topics topics;

  @BeforeEach
  void start(@TempDir Path stateDir) {
    topics =
        Topics.read(
            new ConfigReader(
                Settings.load("test", List.of(Topics.DEFAULTS), Map.of(), List.of(), Map.of())));
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "populations-test");
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver =
        new TopologyTestDriver(
            QualifierTopology.build(
                topics,
                () -> SAMPLE,
                ProfileBounds.defaults(100),
                Duration.ofSeconds(2),
                QualifierTopology.Storage.IN_MEMORY,
                PopulationCountsTest.EVERY),
            config);
    visits =
        driver.createInputTopic(
            topics.name(TopicRole.VISITS),
            Serdes.String().serializer(),
            AvroSerde.of(VisitEvent.class).serializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void joinsAndLeavesAreCountedByHourAndDayOfEventTime() {
    shoes("v1", T0);
    shoes("v1", T0.plus(Duration.ofHours(1)));
    shoes("v1", T0.plus(Duration.ofHours(2)));
    shoes("v2", T0.plus(Duration.ofMinutes(30)));
    visit("v3", T0, Map.of("c_cart", List.of("250")));
    // Time moves on for every profile: v3's basket leaves the seven-day window, then the shoe
    // pages' realizations expire one by one.
    visit("later", T0.plus(TTL).plus(Duration.ofDays(1)), Map.of("c_other", List.of("1")));

    Map<String, Population> populations = writtenAfterAWhile();

    assertThat(populations.get("trait:101/0").getMembers()).isZero();
    assertThat(buckets(populations.get("trait:101/0").getHourly()))
        .containsExactly(
            tuple(T0, 2L, 0L, 2L),
            tuple(T0.plus(TTL), 0L, 1L, 1L),
            tuple(T0.plus(TTL).plus(Duration.ofHours(2)), 0L, 1L, 0L));
    assertThat(buckets(populations.get("trait:101/0").getDaily()))
        .containsExactly(tuple(day(T0), 2L, 0L, 2L), tuple(day(T0.plus(TTL)), 0L, 2L, 0L));
    // Its first shoe page expired, v1 has two left: no longer three.
    assertThat(buckets(populations.get("segment:5001/0").getHourly()))
        .containsExactly(
            tuple(T0.plus(Duration.ofHours(2)), 1L, 0L, 1L), tuple(T0.plus(TTL), 0L, 1L, 0L));
    // A trait without a TTL of its own has the default, 120 days.
    assertThat(buckets(populations.get("trait:102/0").getHourly()))
        .containsExactly(tuple(T0, 1L, 0L, 1L), tuple(T0.plus(TTL), 0L, 1L, 0L));
    assertThat(populations.get("segment:5002/0").getMembers()).isZero();
    // v3's basket came after v1's third shoe page, two hours later in event time: its trait counts
    // from the basket's time, but the segment joins when time stood for the partition then (less
    // the grace), 11:59:58.
    assertThat(buckets(populations.get("segment:5002/0").getHourly()))
        .containsExactly(
            tuple(T0.plus(Duration.ofHours(1)), 1L, 0L, 1L),
            tuple(T0.plus(Duration.ofDays(7)), 0L, 1L, 0L));
    assertThat(populations.values())
        .allSatisfy(
            population ->
                assertThat(population.getKind())
                    .isIn(PopulationKind.TRAIT, PopulationKind.SEGMENT));
  }

  @Test
  void hoursBeyondTwoDaysAreFoldedIntoTheirDaysAndTheMembersStayExact() {
    int hours = PopulationCounts.HOURS_KEPT + 2;
    for (int i = 0; i < hours; i++) {
      visit("v" + i, T0.plus(Duration.ofHours(i)), Map.of("c_cart", List.of("250")));
    }
    Population trait = writtenAfterAWhile().get("trait:102/0");

    assertThat(trait.getMembers()).isEqualTo(hours);
    assertThat(trait.getHourly()).hasSize(PopulationCounts.HOURS_KEPT);
    assertThat(trait.getHourly().get(0).getStart()).isEqualTo(T0.plus(Duration.ofHours(2)));
    assertThat(trait.getHourly().get(0).getMembers()).isEqualTo(3);
    assertThat(trait.getDaily().stream().mapToLong(PopulationBucket::getJoins).sum())
        .isEqualTo(hours);
    assertThat(trait.getDaily().get(0))
        .as("the first day: 14 hours from 10:00, two of them folded")
        .satisfies(
            day -> {
              assertThat(day.getStart()).isEqualTo(day(T0));
              assertThat(day.getJoins()).isEqualTo(14);
              assertThat(day.getMembers()).isEqualTo(14);
            });

    visit("one-more", T0.plus(Duration.ofHours(hours)), Map.of("c_cart", List.of("250")));
    Population again = writtenAfterAWhile().get("trait:102/0");
    assertThat(again.getMembers()).isEqualTo(hours + 1);
    assertThat(again.getHourly().get(0).getStart()).isEqualTo(T0.plus(Duration.ofHours(3)));
    assertThat(again.getDaily().stream().mapToLong(PopulationBucket::getJoins).sum())
        .isEqualTo(hours + 1);
  }

  @Test
  void onlyWhatChangedIsWrittenAgain() {
    shoes("v1", T0);
    shoes("v2", T0);
    writtenAfterAWhile();
    written.clear();

    visit("v3", T0.plus(Duration.ofMinutes(5)), Map.of("c_cart", List.of("250")));
    Map<String, Population> populations = writtenAfterAWhile();

    assertThat(populations).containsOnlyKeys("trait:102/0", "segment:5002/0");
    driver.advanceWallClockTime(EVERY);
    assertThat(read()).as("nothing changed since").isEmpty();
  }

  @Test
  void anOptedOutVisitorLeavesEverything() {
    shoes("v1", T0);
    visit("v1", T0.plusSeconds(1), Map.of("c_cart", List.of("250")));
    VisitEvent optOut =
        VisitEvent.newBuilder(event("v1", T0.plusSeconds(2), Map.of()))
            .setSource(EventSource.OPT_OUT)
            .build();
    visits.pipeInput("v1", optOut, optOut.getTime());

    Map<String, Population> populations = writtenAfterAWhile();

    assertThat(populations)
        .hasEntrySatisfying(
            "trait:101/0", population -> assertThat(population.getMembers()).isZero())
        .hasEntrySatisfying(
            "trait:102/0", population -> assertThat(population.getMembers()).isZero())
        .hasEntrySatisfying(
            "segment:5002/0", population -> assertThat(population.getMembers()).isZero());
    assertThat(buckets(populations.get("segment:5002/0").getHourly()))
        .containsExactly(tuple(T0, 1L, 1L, 0L));
  }

  private Map<String, Population> writtenAfterAWhile() {
    driver.advanceWallClockTime(EVERY);
    written.putAll(read());
    return written;
  }

  private Map<String, Population> read() {
    Map<String, Population> latest = new HashMap<>();
    driver
        .createOutputTopic(
            topics.name(TopicRole.POPULATIONS),
            Serdes.String().deserializer(),
            AvroSerde.of(Population.class).deserializer())
        .readKeyValuesToList()
        .forEach(record -> latest.put(record.key, record.value));
    return latest;
  }

  private static List<org.assertj.core.groups.Tuple> buckets(List<PopulationBucket> buckets) {
    return buckets.stream()
        .map(
            bucket ->
                tuple(
                    bucket.getStart(), bucket.getJoins(), bucket.getLeaves(), bucket.getMembers()))
        .toList();
  }

  private static Instant day(Instant time) {
    return time.truncatedTo(ChronoUnit.DAYS);
  }

  private void shoes(String visitor, Instant time) {
    visit(visitor, time, Map.of("c_category", List.of("shoes")));
  }

  private void visit(String visitor, Instant time, Map<String, List<String>> signals) {
    visits.pipeInput(visitor, event(visitor, time, signals), time);
  }

  private static VisitEvent event(String visitor, Instant time, Map<String, List<String>> signals) {
    return VisitEvent.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setVisitorId(visitor)
        .setTime(time)
        .setSource(EventSource.EDGE)
        .setSignals(signals)
        .build();
  }
}
