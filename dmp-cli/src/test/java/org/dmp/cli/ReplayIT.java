package org.dmp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.dmp.cli.TailCommandIT.dmp;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.dmp.avro.EventSource;
import org.dmp.avro.ReplayDifference;
import org.dmp.avro.Segment;
import org.dmp.avro.VisitEvent;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.serde.AvroSerde;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.Taxonomy;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.taxonomy.TaxonomyPublisher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dmp replay --dry-run} against a live qualifier on the embedded broker: a replay of what
 * live processing saw finds no difference; with a new segment it finds exactly the visitors who
 * qualify for it from history, and it changes nothing live.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ReplayIT {
  private static final String TAXONOMY =
      """
      {"dataSources": [{"id": 1, "name": "Site tags"}],
       "traits": [
         {"id": 101, "name": "Shoe page viewer", "dataSource": 1, "type": "rule", "rule": "c_category == \\"shoes\\"", "ttlDays": 30},
         {"id": 102, "name": "Big basket", "dataSource": 1, "type": "rule", "rule": "c_cart >= 100", "ttlDays": 30}],
       "segments": [
         {"id": 5001, "name": "Shoe fans", "rule": "frequency([101T]) >= 2"},
         {"id": 5002, "name": "Recent shoe viewers", "rule": "frequency([101T] <= 3D) >= 1"}]}
      """;
  private static final int VISITORS = 60;

  @Test
  void aDryRunFindsNothingForWhatLiveSawAndExactlyTheMembersOfANewSegment(
      EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
    Taxonomy taxonomy = TaxonomyFile.parse("replay test", TAXONOMY);
    try (Composition composition = Composition.create(broker, dir, "replay", taxonomy)) {
      Topics topics = composition.topics();
      String runs = UniqueNames.topic("replay-runs");
      List<String> kafka = kafkaArgs(composition, topics, runs);
      List<String> common = new ArrayList<>(kafka);
      common.addAll(List.of("--state-dir", dir.resolve("replay").toString()));
      composition.startQualifier(0);

      // Ten days of visits, a little out of order, ending four days ago (so that no recency edge
      // passes while the test runs); the qualifier's ticks are in the log too.
      Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(14));
      Random random = new Random(11);
      Map<String, Boolean> bigBasket = new HashMap<>();
      try (var producer =
          KafkaClients.of(composition.bootstrap())
              .producer(
                  Map.of(), new StringSerializer(), AvroSerde.of(VisitEvent.class).serializer())) {
        for (int i = 0; i < 600; i++) {
          String visitor = Integer.toString(1000 + random.nextInt(VISITORS));
          boolean cart = random.nextInt(4) == 0;
          int amount = 50 + random.nextInt(100);
          if (cart && amount >= 100) {
            bigBasket.put(visitor, true);
          }
          producer.send(
              new ProducerRecord<>(
                  topics.name(TopicRole.VISITS),
                  visitor,
                  VisitEvent.newBuilder()
                      .setEventId("e" + i)
                      .setVisitorId(visitor)
                      .setTime(
                          start.plus(Duration.ofMinutes(24L * i)).minusSeconds(random.nextInt(600)))
                      .setSource(EventSource.EDGE)
                      .setSignals(
                          cart
                              ? Map.of("c_cart", List.of(Integer.toString(amount)))
                              : Map.of("c_category", List.of("shoes")))
                      .build()));
        }
        producer.flush();
      }
      awaitLiveCaughtUp(composition, topics);
      long liveUpdates = endOffsetsSum(composition.bootstrap(), topics.name(TopicRole.SEGMENTS));

      JsonObject same = lastLine(replay(common, "--from", start.toString(), "--dry-run"));
      assertThat(same.getString("state")).isEqualTo("DONE");
      assertThat(same.getLong("visitorsCompared")).isPositive();
      assertThat(same.getJsonArray("summary").stream().map(JsonObject.class::cast))
          .as("a replay of what live processing saw")
          .allSatisfy(
              segment -> {
                assertThat(segment.getLong("joins")).isZero();
                assertThat(segment.getLong("leaves")).isZero();
              })
          .anySatisfy(segment -> assertThat(segment.getLong("stays")).isPositive());

      List<Segment> segments = new ArrayList<>(taxonomy.segments());
      segments.add(new Segment(5003L, "Big baskets", null, "[102T]"));
      TaxonomyPublisher.apply(
          KafkaClients.of(composition.bootstrap()),
          topics.taxonomy(),
          new Taxonomy(
              taxonomy.dataSources(), taxonomy.traits(), segments, taxonomy.destinations()),
          "with 5003",
          Clock.systemUTC());
      JsonObject added = lastLine(replay(common, "--from", start.toString(), "--dry-run"));
      Map<Long, JsonObject> summary =
          added.getJsonArray("summary").stream()
              .map(JsonObject.class::cast)
              .collect(Collectors.toMap(segment -> segment.getLong("segment"), segment -> segment));
      assertThat(summary.get(5003L).getLong("joins")).isEqualTo(bigBasket.size());
      assertThat(summary.get(5003L).getLong("leaves")).isZero();
      assertThat(summary.get(5001L).getLong("joins") + summary.get(5001L).getLong("leaves"))
          .isZero();
      assertThat(added.getJsonArray("samples")).isNotEmpty();
      assertThat(differences(composition.bootstrap(), added.getString("differences")))
          .as("every visitor with a big basket in the log, joining 5003 and nothing else")
          .isEqualTo(
              bigBasket.keySet().stream()
                  .collect(Collectors.toMap(visitor -> visitor, visitor -> List.of(5003L))));
      assertThat(endOffsetsSum(composition.bootstrap(), topics.name(TopicRole.SEGMENTS)))
          .as("a dry run changes nothing live")
          .isEqualTo(liveUpdates);

      List<String> listed =
          dmp(concat(List.of("replay", "list"), kafka.toArray(String[]::new)))
              .out()
              .lines()
              .toList();
      assertThat(listed)
          .hasSize(2)
          .allMatch(line -> new JsonObject(line).getString("state").equals("DONE"));

      // Bad input, named.
      var backwards =
          dmp(
              concat(
                  replayArgs(common), "--from", "2026-11-20", "--to", "2026-11-10", "--dry-run"));
      assertThat(backwards.exitCode()).isEqualTo(2);
      assertThat(backwards.err()).contains("--from 2026-11-20T00:00:00Z is not before --to");
      var revision =
          dmp(
              concat(
                  replayArgs(common), "--from", start.toString(), "--revision", "1", "--dry-run"));
      assertThat(revision.err()).contains("--revision 1:").contains("holds revision 2 only");
      try (Admin admin = KafkaClients.of(composition.bootstrap()).admin(Map.of())) {
        TopicPartition first = new TopicPartition(topics.name(TopicRole.VISITS), 0);
        admin
            .deleteRecords(Map.of(first, RecordsToDelete.beforeOffset(50)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      var outsideRetention =
          dmp(concat(replayArgs(common), "--from", start.toString(), "--dry-run"));
      assertThat(outsideRetention.exitCode()).isEqualTo(2);
      assertThat(outsideRetention.err())
          .contains("needs the visits from")
          .contains("holds them from")
          .contains("choose a later --from");
    }
  }

  /**
   * kill -9 of a run midway, then {@code --resume}: the same summary and the same differences as a
   * run nobody interrupted. No qualifier runs, so every member the replay finds is a difference.
   */
  @Test
  void aRunKilledMidwayAndResumedFindsWhatAnUninterruptedRunFinds(
      EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
    Taxonomy taxonomy = TaxonomyFile.parse("resume test", TAXONOMY);
    try (Composition composition = Composition.create(broker, dir, "resume", taxonomy)) {
      Topics topics = composition.topics();
      List<String> kafka = kafkaArgs(composition, topics, UniqueNames.topic("resume-runs"));
      List<String> common = new ArrayList<>(kafka);
      // The resumed run's group waits for the killed member's session to time out.
      common.addAll(
          List.of(
              "--state-dir",
              dir.resolve("replay").toString(),
              "--set",
              "qualifier.session-timeout=6s"));
      Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(14));
      // Records no schema decodes, first in a partition: a run skips and counts them.
      try (var junk =
          KafkaClients.of(composition.bootstrap())
              .producer(
                  Map.of(),
                  new StringSerializer(),
                  new org.apache.kafka.common.serialization.ByteArraySerializer())) {
        for (int i = 0; i < 3; i++) {
          junk.send(
                  new ProducerRecord<>(
                      topics.name(TopicRole.VISITS), 0, "junk", new byte[] {1, 2, 3}))
              .get();
        }
      }
      Random random = new Random(5);
      try (var producer =
          KafkaClients.of(composition.bootstrap())
              .producer(
                  Map.of(), new StringSerializer(), AvroSerde.of(VisitEvent.class).serializer())) {
        for (int i = 0; i < 60_000; i++) {
          String visitor = Integer.toString(200_000 + random.nextInt(20_000));
          producer.send(
              new ProducerRecord<>(
                  topics.name(TopicRole.VISITS),
                  visitor,
                  VisitEvent.newBuilder()
                      .setEventId("r" + i)
                      .setVisitorId(visitor)
                      .setTime(start.plusSeconds(10L * i))
                      .setSource(EventSource.EDGE)
                      .setSignals(Map.of("c_category", List.of("shoes")))
                      .build()));
        }
        producer.flush();
      }
      JsonObject uninterrupted = lastLine(replay(common, "--from", start.toString(), "--dry-run"));

      List<String> command =
          new ArrayList<>(
              List.of(
                  ProcessHandle.current().info().command().orElse("java"),
                  "-jar",
                  Path.of("target", "dmp-cli.jar").toString(),
                  "replay",
                  "--from",
                  start.toString(),
                  "--dry-run"));
      command.addAll(common);
      Process killed =
          new ProcessBuilder(command)
              .redirectError(
                  ProcessBuilder.Redirect.appendTo(
                      Path.of("target", "replay-resume-it.log").toFile()))
              .start();
      String runId;
      try (var lines =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(
                  killed.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
        JsonObject midway = null;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          JsonObject status = new JsonObject(line);
          if (status.getLong("eventsRead", 0L) > 0
              && status.getLong("eventsRead") < status.getLong("eventsToRead", 0L)) {
            midway = status;
            break;
          }
        }
        assertThat(midway).as("a progress line from the middle of the run").isNotNull();
        runId = midway.getString("run");
        killed.destroyForcibly();
        assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      JsonObject listed =
          new JsonObject(
              dmp(concat(List.of("replay", "list"), kafka.toArray(String[]::new)))
                  .out()
                  .lines()
                  .filter(line -> line.contains(runId))
                  .findFirst()
                  .orElseThrow());
      assertThat(listed.getString("state")).as("killed midway").isEqualTo("RUNNING");

      JsonObject resumed = lastLine(replay(common, "--resume", runId));

      assertThat(resumed.getString("run")).isEqualTo(runId);
      assertThat(resumed.getString("state")).isEqualTo("DONE");
      assertThat(resumed.getJsonArray("summary")).isEqualTo(uninterrupted.getJsonArray("summary"));
      assertThat(resumed.getLong("visitorsCompared"))
          .isEqualTo(uninterrupted.getLong("visitorsCompared"));
      assertThat(differences(composition.bootstrap(), resumed.getString("differences")))
          .isEqualTo(differences(composition.bootstrap(), uninterrupted.getString("differences")))
          .isNotEmpty();
      var again = dmp(concat(replayArgs(common), "--resume", runId));
      assertThat(again.exitCode()).isEqualTo(2);
      assertThat(again.err()).contains("the run is done, not stopped midway");
      var cancelDone =
          dmp(concat(List.of("replay", "cancel", runId), kafka.toArray(String[]::new)));
      assertThat(cancelDone.err()).contains("is done: nothing to cancel");
    }
  }

  private static List<String> kafkaArgs(Composition composition, Topics topics, String runs) {
    return List.of(
        "--bootstrap",
        composition.bootstrap(),
        "--set",
        "topic.visits.name=" + topics.name(TopicRole.VISITS),
        "--set",
        "topic.segments.name=" + topics.name(TopicRole.SEGMENTS),
        "--set",
        "topic.idmap.name=" + topics.name(TopicRole.IDMAP),
        "--set",
        "topic.taxonomy.name=" + topics.name(TopicRole.TAXONOMY),
        "--set",
        "topic.replay-runs.name=" + runs);
  }

  private static TailCommandIT.Run replay(List<String> common, String... args) {
    TailCommandIT.Run run = dmp(concat(replayArgs(common), args));
    assertThat(run.exitCode()).as(run.err()).isZero();
    return run;
  }

  private static List<String> replayArgs(List<String> common) {
    List<String> args = new ArrayList<>(List.of("replay"));
    args.addAll(common);
    return args;
  }

  private static String[] concat(List<String> first, String... more) {
    List<String> all = new ArrayList<>(first);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private static JsonObject lastLine(TailCommandIT.Run run) {
    List<String> lines = run.out().lines().toList();
    return new JsonObject(lines.get(lines.size() - 1));
  }

  /** Waits until the live qualifier has committed every visit produced so far. */
  private static void awaitLiveCaughtUp(Composition composition, Topics topics) throws Exception {
    try (Admin admin = KafkaClients.of(composition.bootstrap()).admin(Map.of());
        KafkaConsumer<String, String> consumer = reader(composition.bootstrap())) {
      List<TopicPartition> partitions = partitions(consumer, topics.name(TopicRole.VISITS));
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      String group = composition.qualifierApplicationId();
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () -> {
                var committed =
                    admin
                        .listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS);
                return ends.entrySet().stream()
                    .allMatch(
                        end ->
                            committed.get(end.getKey()) != null
                                && committed.get(end.getKey()).offset() >= end.getValue());
              });
    }
  }

  private static long endOffsetsSum(String bootstrap, String topic) {
    try (KafkaConsumer<String, String> consumer = reader(bootstrap)) {
      return consumer.endOffsets(partitions(consumer, topic)).values().stream()
          .mapToLong(Long::longValue)
          .sum();
    }
  }

  /** The run's differences: visitor to the segments they would join. */
  private static Map<String, List<Long>> differences(String bootstrap, String topic) {
    Map<String, List<Long>> joined = new HashMap<>();
    try (KafkaConsumer<String, ReplayDifference> consumer =
        KafkaClients.of(bootstrap)
            .consumer(
                Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(),
                AvroSerde.of(ReplayDifference.class).deserializer())) {
      List<TopicPartition> partitions = partitions(consumer, topic);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        consumer
            .poll(Duration.ofMillis(200))
            .forEach(
                record -> {
                  assertThat(record.value().getLeft()).isEmpty();
                  joined.put(record.key(), List.copyOf(record.value().getJoined()));
                });
      }
    }
    return joined;
  }

  private static KafkaConsumer<String, String> reader(String bootstrap) {
    return KafkaClients.of(bootstrap)
        .consumer(
            Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
            new StringDeserializer(),
            new StringDeserializer());
  }

  private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
    return consumer.partitionsFor(topic).stream()
        .map(info -> new TopicPartition(topic, info.partition()))
        .toList();
  }
}
