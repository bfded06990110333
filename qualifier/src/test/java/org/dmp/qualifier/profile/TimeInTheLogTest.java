package org.dmp.qualifier.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.dmp.avro.EventSource;
import org.dmp.avro.ProfileUpdate;
import org.dmp.avro.VisitEvent;
import org.dmp.config.ConfigReader;
import org.dmp.config.Settings;
import org.dmp.schemas.Ticks;
import org.dmp.schemas.serde.AvroSerde;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.TaxonomyFile;

/**
 * Time is in the log: the updates, and their times, are a function of the records alone. The same
 * log of visits and ticks, written again later by another producer (other record timestamps) and
 * read while the wall clock runs on differently, gives the same updates at the same times.
 */
class TimeInTheLogTest {
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  private static final CompiledTaxonomy SAMPLE = new CompiledTaxonomy(TaxonomyFile.sample());
  private static final Duration GRACE = Duration.ofSeconds(2);
  private static final List<Map<String, List<String>>> SIGNALS =
      List.of(
          Map.of("c_category", List.of("shoes")),
          Map.of("c_cart", List.of("250")),
          Map.of("c_other", List.of("1")));

  /** Spread over the range: the default bias towards small values would keep all in a day. */
  private static final RandomDistribution UNIFORM = RandomDistribution.uniform();

  /** One record of the log: a tick when {@code visitor} is negative. */
  record Entry(int visitor, int signals, long stepMillis, long lateMillis) {}

  @Property(tries = 40)
  @StatisticsReport(onFailureOnly = true)
  void replayingTheLogGivesTheSameUpdatesAtTheSameTimes(
      @ForAll("logs") List<Entry> log, @ForAll("shifts") long rewrittenLaterByMillis) {
    List<String> live = run(log, 0, Duration.ZERO);
    List<String> replayed = run(log, rewrittenLaterByMillis, Duration.ofMinutes(7));

    assertThat(replayed).isEqualTo(live);
    // The property says little unless time alone, and late events, often change something.
    Statistics.label("time alone changed a membership")
        .collect(live.stream().anyMatch(UpdateLines::byTime))
        .coverage(coverage -> coverage.check(true).percentage(share -> share >= 30));
    Statistics.label("late events")
        .collect(log.stream().anyMatch(entry -> entry.lateMillis() > 0))
        .coverage(coverage -> coverage.check(true).percentage(share -> share >= 20));
  }

  @Provide
  Arbitrary<List<Entry>> logs() {
    Arbitrary<Entry> entry =
        Combinators.combine(
                Arbitraries.integers().between(-2, 2),
                Arbitraries.integers().between(0, SIGNALS.size() - 1),
                // Steps: none, a few seconds (within the grace), or up to three days.
                Arbitraries.frequencyOf(
                    Tuple.of(2, Arbitraries.just(0L)),
                    Tuple.of(2, Arbitraries.longs().between(0, 10_000).withDistribution(UNIFORM)),
                    Tuple.of(
                        3,
                        Arbitraries.longs().between(0, 3 * 86_400_000L).withDistribution(UNIFORM))),
                // Lateness: none, within the grace, or days.
                Arbitraries.frequencyOf(
                    Tuple.of(6, Arbitraries.just(0L)),
                    Tuple.of(1, Arbitraries.longs().between(0, 3_000).withDistribution(UNIFORM)),
                    Tuple.of(
                        1,
                        Arbitraries.longs().between(0, 9 * 86_400_000L).withDistribution(UNIFORM))))
            .as(Entry::new);
    return entry.list().ofMinSize(5).ofMaxSize(60);
  }

  @Provide
  Arbitrary<Long> shifts() {
    return Arbitraries.longs().between(-86_400_000L, 40 * 86_400_000L);
  }

  /**
   * @param shiftMillis how much later (or earlier) than the event times the records are stamped
   * @param wallClockStep how far the wall clock moves on between records
   */
  private static List<String> run(List<Entry> log, long shiftMillis, Duration wallClockStep) {
    Path stateDir = temporaryFolder();
    Topics topics =
        Topics.read(
            new ConfigReader(
                Settings.load("test", List.of(Topics.DEFAULTS), Map.of(), List.of(), Map.of())));
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "time-in-the-log");
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    List<String> updates = new ArrayList<>();
    try (var driver =
        new TopologyTestDriver(
            QualifierTopology.build(
                topics,
                () -> SAMPLE,
                ProfileBounds.defaults(100),
                GRACE,
                QualifierTopology.Storage.IN_MEMORY,
                Duration.ofSeconds(5)),
            config)) {
      var visits =
          driver.createInputTopic(
              topics.name(TopicRole.VISITS),
              Serdes.String().serializer(),
              AvroSerde.of(VisitEvent.class).serializer());
      var output =
          driver.createOutputTopic(
              topics.name(TopicRole.SEGMENTS),
              Serdes.String().deserializer(),
              AvroSerde.of(ProfileUpdate.class).deserializer());
      long clock = T0.toEpochMilli();
      int sequence = 0;
      for (Entry entry : log) {
        clock += entry.stepMillis();
        Instant time = Instant.ofEpochMilli(clock - entry.lateMillis());
        Instant stamped = time.plusMillis(shiftMillis);
        if (entry.visitor() < 0) {
          visits.pipeInput(null, Ticks.at(time), stamped);
        } else {
          String visitor = "v" + entry.visitor();
          visits.pipeInput(
              visitor,
              VisitEvent.newBuilder()
                  .setEventId("e" + sequence++)
                  .setVisitorId(visitor)
                  .setTime(time)
                  .setSource(EventSource.EDGE)
                  .setSignals(SIGNALS.get(entry.signals()))
                  .build(),
              stamped);
        }
        driver.advanceWallClockTime(wallClockStep);
      }
      // Ticks go on after the last visit, as they do when a site falls quiet.
      Instant quiet = Instant.ofEpochMilli(clock).plus(Duration.ofDays(10));
      visits.pipeInput(null, Ticks.at(quiet), quiet.plusMillis(shiftMillis));
      output.readValuesToList().forEach(update -> updates.add(UpdateLines.describe(update)));
    } finally {
      delete(stateDir);
    }
    return updates;
  }

  private static Path temporaryFolder() {
    try {
      return Files.createTempDirectory("time-in-the-log");
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
