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
import java.util.Set;
import java.util.TreeSet;
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
import org.dmp.avro.PartnerId;
import org.dmp.avro.PartnerSegmentUpdate;
import org.dmp.avro.ProfileUpdate;
import org.dmp.avro.ReplayDifference;
import org.dmp.avro.VisitEvent;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.partner.SamplePartner;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.serde.AvroSerde;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.Taxonomy;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.taxonomy.TaxonomyPublisher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dmp replay --dry-run} against a live qualifier on the embedded broker: a replay of what
 * live processing saw finds no difference; with a new segment it finds exactly the visitors who
 * qualify for it from history, and it changes nothing live.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ReplayIT {
  @RegisterExtension final SamplePartners partners = new SamplePartners();

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
  private static final java.util.concurrent.atomic.AtomicInteger SENTINELS =
      new java.util.concurrent.atomic.AtomicInteger(1000);

  /**
   * Taxonomy A with destinations for the partner ids of data source 2, then taxonomy B: a new
   * segment of big baskets, mapped on every destination, and a new destination for it alone.
   */
  private static final String WITH_DESTINATIONS =
      """
      {"dataSources": [{"id": 1, "name": "Site tags"}, {"id": 2, "name": "Partner ids"}],
       "traits": [
         {"id": 101, "name": "Shoe page viewer", "dataSource": 1, "type": "rule", "rule": "c_category == \\"shoes\\"", "ttlDays": 30},
         {"id": 102, "name": "Big basket", "dataSource": 1, "type": "rule", "rule": "c_cart >= 100", "ttlDays": 30}],
       "segments": [
         {"id": 5001, "name": "Shoe fans", "rule": "frequency([101T]) >= 2"},
         {"id": 5002, "name": "Recent shoe viewers", "rule": "frequency([101T] <= 3D) >= 1"}%1$s],
       "destinations": [
         {"id": 9001, "name": "partner", "type": "http", "dataSource": 2, "url": "%2$s", "clientId": "c1",
          "mappings": {"5001": "fans"%3$s}},
         {"id": 9005, "name": "topic", "type": "kafka", "topic": "%4$s", "dataSource": 2,
          "mappings": {"5001": "fans"%3$s}}%5$s]}
      """;

  @Test
  void aDryRunFindsExactlyTheMembersOfANewSegmentAndApplyingItSendsPartnersEachOnce(
      EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
    SamplePartner partner = partners.start();
    String partnerTopic = UniqueNames.topic("replay-partner");
    Taxonomy taxonomy =
        TaxonomyFile.parse(
            "replay test", WITH_DESTINATIONS.formatted("", partner.url(), "", partnerTopic, ""));
    try (Composition composition = Composition.create(broker, dir, "replay", taxonomy)) {
      Topics topics = composition.topics();
      String runs = UniqueNames.topic("replay-runs");
      List<String> kafka = kafkaArgs(composition, topics, runs);
      List<String> common = new ArrayList<>(kafka);
      common.addAll(
          List.of(
              "--state-dir",
              dir.resolve("replay").toString(),
              "--set",
              "qualifier.application-id=" + composition.qualifierApplicationId()));
      composition.startQualifier(0);
      composition.startPartnerSync();

      // Ten days of visits, a little out of order, ending four days ago (so that no recency edge
      // passes while the test runs); the qualifier's ticks are in the log too.
      Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(14));
      Random random = new Random(11);
      Set<String> bigBasket = new TreeSet<>();
      List<VisitEvent> events = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        String visitor = Integer.toString(1000 + random.nextInt(VISITORS));
        boolean cart = random.nextInt(4) == 0;
        int amount = 50 + random.nextInt(100);
        if (cart && amount >= 100) {
          bigBasket.add(visitor);
        }
        events.add(
            visit(
                "e" + i,
                visitor,
                start.plus(Duration.ofMinutes(24L * i)).minusSeconds(random.nextInt(600)),
                cart
                    ? Map.of("c_cart", List.of(Integer.toString(amount)))
                    : Map.of("c_category", List.of("shoes"))));
      }
      composition.produce(events);
      awaitLiveCaughtUp(composition, topics);
      long liveUpdates = endOffsetsSum(composition.bootstrap(), topics.name(TopicRole.SEGMENTS));

      JsonObject same = lastLine(replay(common, "--from", start.toString(), "--dry-run"));
      assertThat(same.getString("state")).isEqualTo("DONE");
      assertThat(same.getLong("visitorsCompared")).isPositive();
      assertNoDifference(same, "a replay of what live processing saw");
      assertShadowThrownAway(composition.bootstrap(), dir.resolve("replay"), same.getString("run"));

      TaxonomyPublisher.apply(
          KafkaClients.of(composition.bootstrap()),
          topics.taxonomy(),
          TaxonomyFile.parse(
              "with 5003",
              WITH_DESTINATIONS.formatted(
                  ", {\"id\": 5003, \"name\": \"Big baskets\", \"rule\": \"[102T]\"}",
                  partner.url(),
                  ", \"5003\": \"big\"",
                  partnerTopic,
                  ", {\"id\": 9006, \"name\": \"new partner\", \"type\": \"http\", \"dataSource\": 2,"
                      + " \"url\": \""
                      + partner.url()
                      + "\", \"mappings\": {\"5003\": \"bb\"}}")),
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
              bigBasket.stream()
                  .collect(Collectors.toMap(visitor -> visitor, visitor -> List.of(5003L))));
      assertThat(endOffsetsSum(composition.bootstrap(), topics.name(TopicRole.SEGMENTS)))
          .as("a dry run changes nothing live")
          .isEqualTo(liveUpdates);

      // One of them visits while the run waits to be applied: a live event after its window.
      String active = bigBasket.iterator().next();
      composition.produce(
          List.of(visit("live", active, Instant.now(), Map.of("c_category", List.of("shoes")))));
      Set<String> members = new TreeSet<>(bigBasket);
      members.addAll(awaitDelivered(composition, topics, partner, partnerTopic));
      int receivedBefore = partner.received().size();

      String run = added.getString("run");
      JsonObject applied = lastLine(replay(common, "--apply", run));
      assertThat(applied.getString("state")).isEqualTo("APPLIED");
      assertThat(applied.getLong("corrections")).isEqualTo(bigBasket.size());
      Set<String> sentinels = awaitDelivered(composition, topics, partner, partnerTopic);
      List<SamplePartner.Received> sent =
          partner.received().subList(receivedBefore, partner.received().size());
      Set<String> applyReached = new TreeSet<>(bigBasket);
      applyReached.remove(active);
      Set<String> expected = new TreeSet<>(applyReached);
      expected.addAll(sentinels);
      assertThat(usersSent(sent, 9001, "big"))
          .as("each new member once, to the http partner; the active one had it live already")
          .containsExactlyInAnyOrderElementsOf(expected);
      assertThat(usersSent(sent, 9006, "bb")).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(sent)
          .allSatisfy(request -> assertThat(request.status()).isEqualTo(200))
          .allSatisfy(request -> assertThat(request.visitorIds()).allMatch(expected::contains));
      Map<String, PartnerSegmentUpdate> onTopic =
          topicRecords(composition.bootstrap(), partnerTopic);
      assertThat(onTopic.values())
          .filteredOn(record -> record.getUpdateId().startsWith("replay-"))
          .as("each new member once on the partner's topic, keyed by the run and the visitor")
          .extracting(PartnerSegmentUpdate::getUpdateId)
          .containsExactlyInAnyOrderElementsOf(
              applyReached.stream().map(visitor -> "replay-" + run + ":" + visitor).toList());
      assertThat(onTopic.values())
          .filteredOn(record -> record.getUpdateId().startsWith("replay-"))
          .allSatisfy(record -> assertThat(record.getAdded()).containsExactly("big"));
      members.addAll(sentinels);
      Map<String, ProfileUpdate> live = latestUpdates(composition.bootstrap(), topics);
      assertThat(bigBasket)
          .allSatisfy(visitor -> assertThat(live.get(visitor).getSegments()).contains(5003L));
      assertThat(live.get(active).getSegments())
          .as("the visitor active during the replay keeps what they did since")
          .contains(5002L, 5003L);

      long afterFirst = endOffsetsSum(composition.bootstrap(), topics.name(TopicRole.SEGMENTS));
      JsonObject again = lastLine(replay(common, "--apply", run));
      assertThat(again.getString("state")).isEqualTo("APPLIED");
      assertThat(endOffsetsSum(composition.bootstrap(), topics.name(TopicRole.SEGMENTS)))
          .as("applying the run again changes nothing, so nothing is sent")
          .isEqualTo(afterFirst);
      assertNoDifference(
          lastLine(replay(common, "--from", start.toString(), "--dry-run")),
          "a replay after the run was applied");

      // A backfill: the new destination gets every member again, the others nothing.
      int receivedBeforeBackfill = partner.received().size();
      List<String> backfillArgs =
          new ArrayList<>(List.of("replay", "backfill", "--destinations", "9006"));
      backfillArgs.addAll(kafka);
      backfillArgs.addAll(
          List.of("--set", "qualifier.application-id=" + composition.qualifierApplicationId()));
      JsonObject backfill = lastLine(dmp(backfillArgs.toArray(String[]::new)));
      assertThat(backfill.getString("state")).as(backfill.encode()).isEqualTo("APPLIED");
      assertThat(backfill.getLong("corrections")).isEqualTo(members.size());
      Set<String> lastSentinels = awaitDelivered(composition, topics, partner, partnerTopic);
      List<SamplePartner.Received> backfilled =
          partner.received().subList(receivedBeforeBackfill, partner.received().size());
      List<String> backfilledUsers = new ArrayList<>(usersSent(backfilled, 9006, "bb"));
      backfilledUsers.removeAll(lastSentinels);
      assertThat(backfilledUsers)
          .as("every member once, to the new destination")
          .containsExactlyInAnyOrderElementsOf(members);
      assertThat(usersSent(backfilled, 9001, "big"))
          .as("the other destinations hear only of the last sentinels")
          .containsExactlyInAnyOrderElementsOf(lastSentinels);

      List<String> listed =
          dmp(concat(List.of("replay", "list"), kafka.toArray(String[]::new)))
              .out()
              .lines()
              .toList();
      assertThat(listed)
          .hasSize(3)
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
      var stale = dmp(concat(replayArgs(common), "--apply", same.getString("run")));
      assertThat(stale.exitCode()).isEqualTo(2);
      assertThat(stale.err())
          .contains("the run used taxonomy revision 1 and revision 2 is in force");
      var unknownRun = dmp(concat(replayArgs(common), "--apply", "no-such-run"));
      assertThat(unknownRun.exitCode()).isEqualTo(2);
      assertThat(unknownRun.err()).contains("--apply no-such-run: no such run");
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

  /** A finished run keeps no state of its shadow: no changelog, no group, no local store. */
  private static void assertShadowThrownAway(String bootstrap, Path stateDir, String run)
      throws Exception {
    String applicationId = "dmp-replay-" + run;
    try (Admin admin = KafkaClients.of(bootstrap).admin(Map.of())) {
      assertThat(admin.listTopics().names().get(60, TimeUnit.SECONDS))
          .as("the shadow's changelogs")
          .noneMatch(topic -> topic.startsWith(applicationId + "-"));
      assertThat(admin.listGroups().all().get(60, TimeUnit.SECONDS))
          .as("the shadow's group")
          .noneMatch(group -> group.groupId().equals(applicationId));
    }
    assertThat(stateDir.resolve(run)).doesNotExist();
  }

  private static void assertNoDifference(JsonObject run, String what) {
    assertThat(run.getJsonArray("summary").stream().map(JsonObject.class::cast))
        .as(what)
        .allSatisfy(
            segment -> {
              assertThat(segment.getLong("joins")).isZero();
              assertThat(segment.getLong("leaves")).isZero();
            })
        .anySatisfy(segment -> assertThat(segment.getLong("stays")).isPositive());
  }

  private static VisitEvent visit(
      String eventId, String visitor, Instant time, Map<String, List<String>> signals) {
    return VisitEvent.newBuilder()
        .setEventId(eventId)
        .setVisitorId(visitor)
        .setTime(time)
        .setSource(EventSource.EDGE)
        .setSignals(signals)
        .setPartnerIds(List.of(new PartnerId(2L, "p" + visitor)))
        .build();
  }

  /** The visitors sent to a destination as members of {@code value}, once per time sent. */
  private static List<String> usersSent(
      List<SamplePartner.Received> requests, long destination, String value) {
    List<String> users = new ArrayList<>();
    for (SamplePartner.Received request : requests) {
      if (!request.body().getString("AAM_Destination_Id").equals(Long.toString(destination))) {
        continue;
      }
      users.addAll(request.visitors(value, "1"));
    }
    return users;
  }

  /**
   * Waits until partner sync has delivered every change made so far, to the http partner and to the
   * partner's topic: a sentinel visitor on each partition of the segments topic joins 5003, which
   * every destination maps, and changes are delivered in partition order.
   *
   * @return the sentinels, who are members of 5003 from now on
   */
  private static Set<String> awaitDelivered(
      Composition composition, Topics topics, SamplePartner partner, String partnerTopic)
      throws Exception {
    int partitions = topics.spec(TopicRole.SEGMENTS).partitions();
    Set<String> sentinels = new TreeSet<>();
    Set<Integer> covered = new java.util.HashSet<>();
    for (int n = 0; covered.size() < partitions; n++) {
      String visitor = "9" + SENTINELS.getAndIncrement();
      int partition =
          org.apache.kafka.common.utils.Utils.toPositive(
                  org.apache.kafka.common.utils.Utils.murmur2(
                      visitor.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
              % partitions;
      if (covered.add(partition)) {
        sentinels.add(visitor);
      }
    }
    composition.produce(
        sentinels.stream()
            .map(
                visitor ->
                    visit("s" + visitor, visitor, Instant.now(), Map.of("c_cart", List.of("150"))))
            .toList());
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> {
              List<SamplePartner.Received> received = partner.received();
              return usersSent(received, 9001, "big").containsAll(sentinels)
                  && usersSent(received, 9006, "bb").containsAll(sentinels)
                  && topicRecords(composition.bootstrap(), partnerTopic).values().stream()
                      .map(record -> record.getVisitorId())
                      .toList()
                      .containsAll(sentinels);
            });
    return sentinels;
  }

  private static Map<String, PartnerSegmentUpdate> topicRecords(String bootstrap, String topic) {
    Map<String, PartnerSegmentUpdate> records = new HashMap<>();
    readAll(
        bootstrap,
        topic,
        AvroSerde.of(PartnerSegmentUpdate.class).deserializer(),
        record -> records.put(record.value().getUpdateId(), record.value()));
    return records;
  }

  private static Map<String, ProfileUpdate> latestUpdates(String bootstrap, Topics topics) {
    Map<String, ProfileUpdate> latest = new HashMap<>();
    readAll(
        bootstrap,
        topics.name(TopicRole.SEGMENTS),
        topics.segments().values().deserializer(),
        record -> latest.put(record.key(), record.value()));
    return latest;
  }

  private static <V> void readAll(
      String bootstrap,
      String topic,
      org.apache.kafka.common.serialization.Deserializer<V> values,
      java.util.function.Consumer<org.apache.kafka.clients.consumer.ConsumerRecord<String, V>>
          handler) {
    try (KafkaConsumer<String, V> consumer =
        KafkaClients.of(bootstrap)
            .consumer(
                Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(),
                values)) {
      List<TopicPartition> partitions = partitions(consumer, topic);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        consumer.poll(Duration.ofMillis(200)).forEach(handler);
      }
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
      // The resumed run's group waits for the killed member's session to time out; the run commits
      // often, so that it is killed with some of its work committed.
      common.addAll(
          List.of(
              "--state-dir",
              dir.resolve("replay").toString(),
              "--set",
              "qualifier.session-timeout=6s",
              "--set",
              "qualifier.replay-commit-interval=100ms"));
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

  /**
   * The end offsets of a transactional topic once no transaction is open on it: a commit marker
   * written a moment after the transaction's records and offsets were committed would otherwise
   * move the end on by one with nothing new in the topic.
   */
  private static long endOffsetsSum(String bootstrap, String topic) {
    try (KafkaConsumer<String, String> uncommitted = reader(bootstrap);
        KafkaConsumer<String, String> committed =
            KafkaClients.of(bootstrap)
                .consumer(
                    Map.of(
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false,
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed"),
                    new StringDeserializer(),
                    new StringDeserializer())) {
      List<TopicPartition> partitions = partitions(uncommitted, topic);
      long[] sum = new long[1];
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                Map<TopicPartition, Long> all = uncommitted.endOffsets(partitions);
                sum[0] = all.values().stream().mapToLong(Long::longValue).sum();
                return all.equals(committed.endOffsets(partitions));
              });
      return sum[0];
    }
  }

  /** The run's differences: visitor to the segments they would join. */
  private static Map<String, List<Long>> differences(String bootstrap, String topic) {
    Map<String, List<Long>> joined = new HashMap<>();
    readAll(
        bootstrap,
        topic,
        AvroSerde.of(ReplayDifference.class).deserializer(),
        record -> {
          assertThat(record.value().getLeft()).isEmpty();
          joined.put(record.key(), List.copyOf(record.value().getJoined()));
        });
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
