package org.dmp.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.dmp.sync.SyncFixture.httpDestination;
import static org.dmp.sync.SyncFixture.joined;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.dmp.avro.DeadLetter;
import org.dmp.avro.DeliveryAttempt;
import org.dmp.avro.DeliveryChannel;
import org.dmp.avro.DeliveryOutcome;
import org.dmp.avro.PartnerId;
import org.dmp.avro.PartnerSegmentUpdate;
import org.dmp.avro.ProfileUpdate;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.partner.SamplePartner;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.RunningService;
import org.dmp.runtime.kafka.DeadLetters;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.runtime.kafka.Rejections;
import org.dmp.schemas.serde.AvroSerde;
import org.dmp.schemas.topics.TopicRole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith({KafkaBrokerExtension.class, VertxExtension.class})
class PartnerSyncIT {
  private static final Duration START = Duration.ofSeconds(60);
  private static final AvroSerde<DeliveryAttempt> ATTEMPTS = AvroSerde.of(DeliveryAttempt.class);

  private static SamplePartner partner(
      Vertx vertx, Optional<SamplePartner.Verification> verification) throws InterruptedException {
    SamplePartner partner = new SamplePartner(0, verification, false);
    MainThread.await(vertx.deployVerticle(partner), START, "starting a partner");
    return partner;
  }

  @RegisterExtension final PartnerSyncUnderTest partnerSync = new PartnerSyncUnderTest();

  /** Each visitor's accepted deliveries, as the idempotency keys they came under. */
  private static Map<String, List<String>> keysByVisitor(List<SamplePartner.Received> requests) {
    Map<String, List<String>> keys = new HashMap<>();
    requests.forEach(
        request ->
            request
                .visitorIds()
                .forEach(
                    visitor ->
                        keys.computeIfAbsent(visitor, v -> new ArrayList<>())
                            .add(request.idempotencyKey())));
    return keys;
  }

  @Test
  void eachMappedChangeReachesThePartnerSignedAndEveryAttemptIsRecorded(
      Vertx vertx, EmbeddedKafkaBroker broker) throws Exception {
    SyncFixture fixture = SyncFixture.create(broker.bootstrapServers());
    SamplePartner partner =
        partner(
            vertx,
            Optional.of(
                new SamplePartner.Verification(
                    "HmacSHA256", "X-Signature", List.of("old", "s3cret"))));
    fixture.applyDestinations(
        httpDestination(
            9001,
            partner.url(),
            "\"signing\": {\"algorithm\": \"HmacSHA256\", \"header\": \"X-Signature\", \"secretEnv\": \"PARTNER_SECRET_A\"}"));
    RunningService sync = partnerSync.start(fixture, Map.of("PARTNER_SECRET_A", "s3cret"));

    fixture.publish(
        List.of(
            SyncFixture.update("alice", 1, List.of(5001L), List.of(), Optional.of("dsp-alice")),
            SyncFixture.update("bob", 1, List.of(5002L), List.of(5001L), Optional.of("dsp-bob")),
            SyncFixture.update("carol", 1, List.of(5001L), List.of(), Optional.empty()),
            SyncFixture.update("dave", 1, List.of(7777L), List.of(), Optional.of("dsp-dave"))));

    await()
        .atMost(START)
        .until(
            () ->
                partner.accepted().stream().mapToInt(request -> request.visitorIds().size()).sum()
                    >= 2);
    assertThat(partner.received())
        .allSatisfy(
            request ->
                assertThat(request.status())
                    .as("signed with a secret the partner holds")
                    .isEqualTo(200));
    List<JsonObject> users =
        partner.accepted().stream()
            .flatMap(
                request ->
                    request.body().getJsonArray("Users").stream().map(JsonObject.class::cast))
            .toList();
    assertThat(users)
        .extracting(user -> user.getString("AAM_UUID"))
        .containsExactlyInAnyOrder("alice", "bob");
    JsonObject bob =
        users.stream()
            .filter(user -> user.getString("AAM_UUID").equals("bob"))
            .findFirst()
            .orElseThrow();
    assertThat(bob.getString("DataPartner_UUID")).isEqualTo("dsp-bob");
    assertThat(
            bob.getJsonArray("Segments").stream()
                .map(JsonObject.class::cast)
                .map(
                    segment -> segment.getString("Segment_ID") + "=" + segment.getString("Status")))
        .containsExactlyInAnyOrder("s5002=1", "s5001=0");
    JsonObject body = partner.accepted().get(0).body();
    assertThat(body.getString("User_DPID")).isEqualTo("20001");
    assertThat(body.getString("Client_ID")).isEqualTo("c9001");
    assertThat(body.getString("AAM_Destination_Id")).isEqualTo("9001");

    List<DeliveryAttempt> attempts =
        fixture.readUntil(
            fixture.topic(TopicRole.DELIVERIES),
            ATTEMPTS,
            read -> read.stream().mapToInt(attempt -> attempt.getVisitorIds().size()).sum() >= 2);
    assertThat(attempts)
        .allSatisfy(
            attempt -> {
              assertThat(attempt.getDestinationId()).isEqualTo(9001);
              assertThat(attempt.getChannel()).isEqualTo(DeliveryChannel.HTTP);
              assertThat(attempt.getOutcome()).isEqualTo(DeliveryOutcome.DELIVERED);
              assertThat(attempt.getHttpStatus()).isEqualTo(200);
            });
    assertThat(attempts.stream().map(DeliveryAttempt::getIdempotencyKey).toList())
        .containsExactlyInAnyOrderElementsOf(
            partner.accepted().stream().map(SamplePartner.Received::idempotencyKey).toList());

    await()
        .atMost(START)
        .untilAsserted(
            () -> {
              JsonObject status =
                  new JsonObject(SyncFixture.get(sync.httpPort(), "/destinations/9001").body());
              assertThat(status.getString("state")).isEqualTo("UP");
              assertThat(status.getLong("delivered")).isEqualTo(2);
              assertThat(status.getLong("noPartnerId")).isEqualTo(1);
              assertThat(status.getLong("lag")).isZero();
            });
    for (String path : List.of("/destinations", "/destinations/9001", "/metrics")) {
      for (String authorization : java.util.Arrays.asList(null, "Bearer not-the-token")) {
        var refused = SyncFixture.get(sync.httpPort(), path, authorization);
        assertThat(refused.statusCode()).as(path + " with " + authorization).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate")).contains("Bearer");
      }
    }
    assertThat(SyncFixture.get(sync.httpPort(), "/health/live", null).statusCode()).isEqualTo(200);
    assertThat(SyncFixture.get(sync.httpPort(), "/metrics").body())
        .contains("dmp_sync_delivered_users_total{destination=\"9001\"")
        // The updates this test writes name no causing event, as those of time alone: a hit's
        // latency is not theirs to measure.
        .contains(
            "dmp_stage_latency_seconds_count{destination=\"9001\",stage=\"update_read\",type=\"http\"} 0")
        .contains(
            "dmp_stage_latency_seconds_count{destination=\"9001\",stage=\"partner_acknowledged\",type=\"http\"} 2");

    // Carol qualified with no id at the partner; an ID sync later brings one, and with it her
    // segments reach the partner, with the regions she was seen in.
    fixture.publish(
        List.of(
            ProfileUpdate.newBuilder(
                    SyncFixture.update("carol", 2, List.of(), List.of(), Optional.of("dsp-carol")))
                .setSegments(List.of(5001L))
                .setNewPartnerIds(List.of(new PartnerId(SyncFixture.DATA_SOURCE, "dsp-carol")))
                .setRegions(List.of(6))
                .build()));
    await()
        .atMost(START)
        .untilAsserted(
            () ->
                assertThat(
                        partner.accepted().stream()
                            .flatMap(
                                request ->
                                    request.body().getJsonArray("Users").stream()
                                        .map(JsonObject.class::cast)))
                    .anySatisfy(
                        user -> {
                          assertThat(user.getString("AAM_UUID")).isEqualTo("carol");
                          assertThat(user.getString("DataPartner_UUID")).isEqualTo("dsp-carol");
                          assertThat(user.getJsonArray("AAM_Regions")).containsExactly("6");
                          assertThat(user.getJsonArray("Segments"))
                              .extracting(segment -> ((JsonObject) segment).getString("Segment_ID"))
                              .containsExactly("s5001");
                        }));
  }

  @Test
  void whenThePartnerIsSlowFailsAndGoesDownEveryChangeArrivesAfterItRecoversAndRetriesKeepTheirKey(
      Vertx vertx, EmbeddedKafkaBroker broker) throws Exception {
    SyncFixture fixture =
        SyncFixture.create(
            broker.bootstrapServers(), "--sync.http.batch-users=10", "--sync.http.timeout=300ms");
    SamplePartner partner = partner(vertx, Optional.empty());
    fixture.applyDestinations(httpDestination(9001, partner.url(), ""));
    RunningService sync = partnerSync.start(fixture, Map.of());

    // Slower than the timeout: each attempt fails on our side even though the partner ends up
    // answering.
    partner.answerAfter(Duration.ofMillis(600));
    fixture.publish(IntStream.range(0, 100).mapToObj(i -> joined("v" + i, 1, 5001)).toList());
    await().atMost(START).until(() -> !partner.received().isEmpty());
    partner.answerAfter(Duration.ZERO);
    partner.failShare(0.5);
    fixture.publish(IntStream.range(100, 200).mapToObj(i -> joined("v" + i, 1, 5001)).toList());
    await()
        .atMost(START)
        .until(() -> partner.received().stream().anyMatch(request -> request.status() == 503));
    MainThread.await(partner.goDown(), START, "taking the partner down");
    fixture.publish(IntStream.range(200, 300).mapToObj(i -> joined("v" + i, 1, 5001)).toList());
    // A batch may still be retrying a 503 from before; wait for an attempt that found the partner
    // gone.
    await()
        .atMost(START)
        .untilAsserted(
            () -> {
              JsonObject status =
                  new JsonObject(SyncFixture.get(sync.httpPort(), "/destinations/9001").body());
              assertThat(status.getString("state")).isEqualTo("RETRYING");
              assertThat(status.getString("detail")).containsIgnoringCase("connection refused");
            });
    MainThread.await(partner.comeBack(), START, "bringing the partner back");

    Set<String> expected =
        IntStream.range(0, 300).mapToObj(i -> "v" + i).collect(Collectors.toSet());
    await()
        .atMost(START)
        .until(() -> keysByVisitor(partner.accepted()).keySet().containsAll(expected));
    assertThat(keysByVisitor(partner.accepted()).keySet()).isEqualTo(expected);
    assertThat(keysByVisitor(partner.accepted()).values())
        .as("a change received twice came both times under one key")
        .allSatisfy(keys -> assertThat(Set.copyOf(keys)).hasSize(1));
    Map<String, Set<List<String>>> contentsByKey = new HashMap<>();
    partner
        .received()
        .forEach(
            request ->
                contentsByKey
                    .computeIfAbsent(request.idempotencyKey(), k -> new HashSet<>())
                    .add(request.visitorIds()));
    assertThat(contentsByKey.values())
        .as("every retry of a batch is the same batch under the same key")
        .allSatisfy(contents -> assertThat(contents).hasSize(1));

    List<DeliveryAttempt> attempts =
        fixture.readUntil(
            fixture.topic(TopicRole.DELIVERIES),
            ATTEMPTS,
            read ->
                read.stream()
                        .filter(attempt -> attempt.getOutcome() == DeliveryOutcome.DELIVERED)
                        .mapToInt(attempt -> attempt.getVisitorIds().size())
                        .sum()
                    >= 300);
    assertThat(attempts)
        .filteredOn(attempt -> attempt.getOutcome() == DeliveryOutcome.RETRYING)
        .extracting(DeliveryAttempt::getDetail)
        .anySatisfy(detail -> assertThat(detail).containsIgnoringCase("timeout"))
        .anySatisfy(detail -> assertThat(detail).startsWith("HTTP 503"))
        .anySatisfy(detail -> assertThat(detail).containsIgnoringCase("connection refused"));
    assertThat(attempts).filteredOn(attempt -> attempt.getAttempt() > 1).isNotEmpty();
  }

  @Test
  void aDeliveryStillFailingWhenItsRetryBudgetIsSpentIsDeadLettered(
      Vertx vertx, EmbeddedKafkaBroker broker) throws Exception {
    SyncFixture fixture =
        SyncFixture.create(broker.bootstrapServers(), "--sync.retry.give-up-after=1s");
    SamplePartner partner = partner(vertx, Optional.empty());
    partner.failShare(1);
    fixture.applyDestinations(httpDestination(9001, partner.url(), ""));
    RunningService sync = partnerSync.start(fixture, Map.of());

    fixture.publish(List.of(joined("frank", 1, 5001)));
    List<DeadLetter> letters =
        fixture.readUntil(
            fixture.topic(TopicRole.DEADLETTER),
            AvroSerde.of(DeadLetter.class),
            read -> !read.isEmpty());
    assertThat(letters)
        .singleElement()
        .satisfies(
            letter -> {
              assertThat(letter.getReason())
                  .startsWith("retry budget of PT1S spent after")
                  .endsWith("last: HTTP 503");
              assertThat(letter.getAttempts()).isGreaterThan(1);
              assertThat(partner.received())
                  .hasSize(letter.getAttempts())
                  .allSatisfy(
                      request ->
                          assertThat(request.idempotencyKey())
                              .isEqualTo(letter.getIdempotencyKey()));
            });

    // Once the partner is well, the operator sends the letter again: the same request.
    partner.failShare(0);
    DeadLetters.Letter letter =
        DeadLetters.read(
                fixture.config.common().kafka(),
                fixture.config.common().topics().deadLetters(),
                any -> true,
                Duration.ofSeconds(30))
            .orElseThrow()
            .letters()
            .get(0);
    JsonObject firstTry = partner.received().get(0).body();
    JsonArray answer =
        new JsonArray(
            SyncFixture.post(
                    sync.httpPort(),
                    "/deadletters/resend",
                    new JsonObject()
                        .put(
                            "letters",
                            new JsonArray().add(letter.position().toString()).add("0:999"))
                        .encode())
                .body());
    assertThat(answer.getJsonObject(0).getString("outcome")).isEqualTo("DELIVERED");
    assertThat(answer.getJsonObject(1).getString("outcome")).isEqualTo("NOT_FOUND");
    SamplePartner.Received resent = partner.received().get(partner.received().size() - 1);
    assertThat(resent.status()).isEqualTo(200);
    assertThat(resent.idempotencyKey()).isEqualTo(letter.letter().getIdempotencyKey());
    assertThat(resent.body()).as("the body it had").isEqualTo(firstTry);
    assertThat(
            fixture.readUntil(
                fixture.topic(TopicRole.DELIVERIES),
                ATTEMPTS,
                read ->
                    read.stream()
                        .anyMatch(attempt -> attempt.getOutcome() == DeliveryOutcome.DELIVERED)))
        .filteredOn(attempt -> attempt.getOutcome() == DeliveryOutcome.DELIVERED)
        .singleElement()
        .satisfies(
            attempt -> {
              assertThat(attempt.getIdempotencyKey())
                  .isEqualTo(letter.letter().getIdempotencyKey());
              assertThat(attempt.getDetail()).contains("sent again");
            });
    HttpResponse<String> malformed =
        SyncFixture.post(sync.httpPort(), "/deadletters/resend", "{\"letters\": [\"first\"]}");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(malformed.body()).getString("error"))
        .contains("<partition>:<offset>");
  }

  @Test
  void aPermanentFailureIsDeadLetteredWithItsReasonAndLaterChangesStillFlow(
      Vertx vertx, EmbeddedKafkaBroker broker) throws Exception {
    SyncFixture fixture = SyncFixture.create(broker.bootstrapServers());
    SamplePartner partner =
        partner(
            vertx,
            Optional.of(
                new SamplePartner.Verification("HmacSHA1", "X-Signature", List.of("right"))));
    fixture.applyDestinations(
        httpDestination(
            9001,
            partner.url(),
            "\"signing\": {\"algorithm\": \"HmacSHA1\", \"header\": \"X-Signature\", \"secretEnv\": \"PARTNER_SECRET_B\"}"));
    partnerSync.start(fixture, Map.of("PARTNER_SECRET_B", "wrong"));

    fixture.publish(List.of(joined("eve", 1, 5001)));
    List<DeadLetter> letters =
        fixture.readUntil(
            fixture.topic(TopicRole.DEADLETTER),
            AvroSerde.of(DeadLetter.class),
            read -> !read.isEmpty());
    assertThat(letters).hasSize(1);
    assertThat(letters.get(0).getReason()).contains("permanent failure: HTTP 401");
    assertThat(letters.get(0).getAttempts()).isEqualTo(1);
    assertThat(letters.get(0).getUpdates())
        .extracting(PartnerSegmentUpdate::getVisitorId, PartnerSegmentUpdate::getPartnerUserId)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("eve", "p-eve"));
    List<DeliveryAttempt> attempts =
        fixture.readUntil(fixture.topic(TopicRole.DELIVERIES), ATTEMPTS, read -> !read.isEmpty());
    assertThat(attempts)
        .singleElement()
        .satisfies(
            attempt -> {
              assertThat(attempt.getOutcome()).isEqualTo(DeliveryOutcome.DEAD_LETTERED);
              assertThat(attempt.getHttpStatus()).isEqualTo(401);
              assertThat(attempt.getIdempotencyKey()).isEqualTo(letters.get(0).getIdempotencyKey());
            });
  }

  @Test
  void recordsThatCannotBeReadAreSetAsideAndTheChangesAfterThemAreDelivered(
      Vertx vertx, EmbeddedKafkaBroker broker) throws Exception {
    SyncFixture fixture =
        SyncFixture.create(broker.bootstrapServers(), "--topic.segments.max-record-bytes=4096");
    SamplePartner partner = partner(vertx, Optional.empty());
    fixture.applyDestinations(httpDestination(9001, partner.url(), ""));
    partnerSync.start(fixture, Map.of());

    String segments = fixture.topic(TopicRole.SEGMENTS);
    byte[] junk = "not an update".getBytes(StandardCharsets.UTF_8);
    byte[] foreign =
        Arrays.copyOf(fixture.topics.segments().values().encode(joined("eve", 1, 1)), 40);
    Arrays.fill(foreign, 2, 10, (byte) 0x5A);
    ProfileUpdate oversized = joined("eve", 1, 5001);
    oversized.setCauseEventId("x".repeat(5000));
    List<Long> offsets = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer =
        KafkaClients.of(fixture.bootstrap)
            .producer(Map.of(), new StringSerializer(), new ByteArraySerializer())) {
      for (byte[] value :
          List.of(junk, foreign, fixture.topics.segments().values().encode(oversized))) {
        offsets.add(producer.send(new ProducerRecord<>(segments, "eve", value)).get().offset());
      }
    }
    fixture.publish(List.of(joined("eve", 2, 5001)));

    await().atMost(START).until(() -> keysByVisitor(partner.accepted()).containsKey("eve"));
    List<ConsumerRecord<String, byte[]>> rejected =
        fixture.readUntil(
            fixture.topic(TopicRole.VISITS_REJECTED), record -> record, read -> read.size() >= 3);
    assertThat(rejected)
        .extracting(record -> header(record, Rejections.OFFSET))
        .containsExactlyElementsOf(offsets.stream().map(String::valueOf).toList());
    assertThat(rejected)
        .allSatisfy(
            record -> {
              assertThat(header(record, Rejections.TOPIC)).isEqualTo(segments);
              assertThat(header(record, Rejections.CONSUMER)).contains("9001");
              assertThat(record.key()).isEqualTo("eve");
            });
    assertThat(rejected)
        .extracting(record -> header(record, Rejections.REASON))
        .satisfiesExactly(
            reason -> assertThat(reason).contains("not an Avro single-object record"),
            reason -> assertThat(reason).contains("unknown schema fingerprint"),
            reason -> assertThat(reason).contains("more than the 4096"));
    assertThat(rejected.get(0).value()).isEqualTo(junk);
  }

  private static String header(ConsumerRecord<?, ?> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void aPartnerThatIsDownHoldsUpNoOther(Vertx vertx, EmbeddedKafkaBroker broker) throws Exception {
    SyncFixture fixture = SyncFixture.create(broker.bootstrapServers());
    SamplePartner down = partner(vertx, Optional.empty());
    SamplePartner up = partner(vertx, Optional.empty());
    MainThread.await(down.goDown(), START, "taking a partner down");
    fixture.applyDestinations(
        httpDestination(9001, down.url(), ""), httpDestination(9002, up.url(), ""));
    RunningService sync = partnerSync.start(fixture, Map.of());

    Set<String> expected =
        IntStream.range(0, 200).mapToObj(i -> "v" + i).collect(Collectors.toSet());
    for (int wave = 0; wave < 4; wave++) {
      int from = wave * 50;
      fixture.publish(
          IntStream.range(from, from + 50).mapToObj(i -> joined("v" + i, 1, 5001)).toList());
      await().atMost(START).until(() -> keysByVisitor(up.accepted()).size() >= from + 50);
    }
    assertThat(keysByVisitor(up.accepted()).keySet()).isEqualTo(expected);
    assertThat(down.received()).as("the other partner was down all along").isEmpty();
    assertThat(
            new JsonObject(SyncFixture.get(sync.httpPort(), "/destinations/9001").body())
                .getString("state"))
        .isEqualTo("RETRYING");
    assertThat(SyncFixture.get(sync.httpPort(), "/destinations/9001").statusCode()).isEqualTo(503);
    assertThat(SyncFixture.get(sync.httpPort(), "/destinations/9002").statusCode()).isEqualTo(200);

    MainThread.await(down.comeBack(), START, "bringing the partner back");
    await()
        .atMost(START)
        .until(() -> keysByVisitor(down.accepted()).keySet().containsAll(expected));
  }

  @Test
  void destinationsStartAndStopAsTheTaxonomyChanges(Vertx vertx, EmbeddedKafkaBroker broker)
      throws Exception {
    SyncFixture fixture = SyncFixture.create(broker.bootstrapServers());
    SamplePartner first = partner(vertx, Optional.empty());
    SamplePartner second = partner(vertx, Optional.empty());
    fixture.applyDestinations(httpDestination(9001, first.url(), ""));
    RunningService sync = partnerSync.start(fixture, Map.of());
    fixture.publish(List.of(joined("a", 1, 5001)));
    await().atMost(START).until(() -> keysByVisitor(first.accepted()).containsKey("a"));

    fixture.applyDestinations(httpDestination(9002, second.url(), ""));
    await().atMost(START).until(() -> keysByVisitor(second.accepted()).containsKey("a"));
    await()
        .atMost(START)
        .untilAsserted(
            () ->
                assertThat(
                        new JsonArray(SyncFixture.get(sync.httpPort(), "/destinations").body())
                            .stream().map(status -> ((JsonObject) status).getLong("id")).toList())
                    .containsExactly(9002L));
    fixture.publish(List.of(joined("b", 1, 5001)));
    await().atMost(START).until(() -> keysByVisitor(second.accepted()).containsKey("b"));
    assertThat(keysByVisitor(first.accepted()))
        .as("a removed destination hears nothing more")
        .doesNotContainKey("b");
  }

  @Test
  void aDestinationThatCannotRunIsShownFailedWithItsReason(Vertx vertx, EmbeddedKafkaBroker broker)
      throws Exception {
    SyncFixture fixture = SyncFixture.create(broker.bootstrapServers());
    fixture.applyDestinations(
        httpDestination(
            9001,
            "http://127.0.0.1:9/aam",
            "\"signing\": {\"algorithm\": \"HmacSHA256\", \"header\": \"X-Signature\", \"secretEnv\": \"PARTNER_SECRET_UNSET\"}"));
    RunningService sync = partnerSync.start(fixture, Map.of());
    await()
        .atMost(START)
        .untilAsserted(
            () -> {
              var response = SyncFixture.get(sync.httpPort(), "/destinations/9001");
              assertThat(response.statusCode()).isEqualTo(503);
              assertThat(new JsonObject(response.body()).getString("detail"))
                  .contains("PARTNER_SECRET_UNSET");
            });
  }

  @Test
  void aDestinationThatFailsToStartIsStartedAgainAndHoldsUpNoOther(
      Vertx vertx, EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
    Path spool = dir.resolve("spool");
    Files.createDirectories(spool);
    // Where destination 9002 keeps its spool, a file: opening the spool fails until it goes.
    Path blocked = Files.writeString(spool.resolve("destination-9002"), "not a folder");
    SyncFixture fixture =
        SyncFixture.create(
            broker.bootstrapServers(),
            "--sync.batch.spool-dir=" + spool,
            "--sync.batch.outbox-root=" + dir);
    SamplePartner partner = partner(vertx, Optional.empty());
    fixture.applyDestinations(
        BatchIT.batchDestination(dir.resolve("outbox"), "iter", ""),
        httpDestination(9001, partner.url(), ""));
    RunningService sync = partnerSync.start(fixture, Map.of());

    fixture.publish(List.of(joined("eve", 1, 5001)));
    await().atMost(START).until(() -> keysByVisitor(partner.accepted()).containsKey("eve"));
    await()
        .atMost(START)
        .untilAsserted(
            () -> {
              JsonObject status =
                  new JsonObject(SyncFixture.get(sync.httpPort(), "/destinations/9002").body());
              assertThat(status.getString("state")).isEqualTo("FAILED");
              assertThat(status.getString("detail")).contains("failed to start");
            });

    Files.delete(blocked);
    await()
        .atMost(START)
        .untilAsserted(
            () ->
                assertThat(SyncFixture.get(sync.httpPort(), "/destinations/9002").statusCode())
                    .isEqualTo(200));
    assertThat(spool.resolve("destination-9002")).isDirectory();
  }

  @Test
  void aKafkaDestinationWrittenByHandToTargetThePipelinesOwnTopicIsRefused(
      Vertx vertx, EmbeddedKafkaBroker broker) throws Exception {
    SyncFixture fixture = SyncFixture.create(broker.bootstrapServers());
    var taxonomy =
        SyncFixture.withDestinations(
            """
            {"id": 9005, "name": "topic", "type": "kafka", "topic": "partner.topic",
             "dataSource": 20001, "mappings": {"5001": "5001"}}""");
    // As a record written to the taxonomy topic by hand would have it: past the file's checks.
    taxonomy.destinations().get(0).getKafka().setTopic(fixture.topic(TopicRole.SEGMENTS));
    fixture.apply(taxonomy);
    RunningService sync = partnerSync.start(fixture, Map.of());

    await()
        .atMost(START)
        .untilAsserted(
            () -> {
              JsonObject status =
                  new JsonObject(SyncFixture.get(sync.httpPort(), "/destinations/9005").body());
              assertThat(status.getString("state")).isEqualTo("FAILED");
              assertThat(status.getString("detail"))
                  .isEqualTo(
                      "a kafka destination may not write to the pipeline's own topic "
                          + fixture.topic(TopicRole.SEGMENTS));
            });
  }

  @Test
  void aTaxonomyCannotNameASecretOutsideThePrefixNorAnOutboxOutsideTheRoot(
      Vertx vertx, EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
    SyncFixture fixture =
        SyncFixture.create(
            broker.bootstrapServers(),
            "--sync.batch.spool-dir=" + dir.resolve("spool"),
            "--sync.batch.outbox-root=" + dir.resolve("outbox"));
    fixture.applyDestinations(
        httpDestination(
            9001,
            "http://127.0.0.1:9/aam",
            "\"signing\": {\"algorithm\": \"HmacSHA256\", \"header\": \"X-Signature\", \"secretEnv\": \"DMP_OPERATOR_TOKEN\"}"),
        BatchIT.batchDestination(dir.resolve("elsewhere"), "iter", ""));
    RunningService sync =
        partnerSync.start(
            fixture, Map.of("DMP_OPERATOR_TOKEN", "a-token-a-taxonomy-must-not-read"));

    await()
        .atMost(START)
        .untilAsserted(
            () -> {
              JsonObject signing =
                  new JsonObject(SyncFixture.get(sync.httpPort(), "/destinations/9001").body());
              assertThat(signing.getString("state")).isEqualTo("FAILED");
              assertThat(signing.getString("detail"))
                  .contains(
                      "DMP_OPERATOR_TOKEN does not start with sync.signing.secret-env-prefix");
              JsonObject files =
                  new JsonObject(SyncFixture.get(sync.httpPort(), "/destinations/9002").body());
              assertThat(files.getString("state")).isEqualTo("FAILED");
              assertThat(files.getString("detail")).contains("lies outside sync.batch.outbox-root");
            });
    assertThat(dir.resolve("elsewhere")).doesNotExist();
  }

  @Test
  void aKafkaDestinationGetsEachChangeExactlyOnceKeyedByPartnerId(
      Vertx vertx, EmbeddedKafkaBroker broker) throws Exception {
    SyncFixture fixture = SyncFixture.create(broker.bootstrapServers());
    String topic = UniqueNames.topic("dest");
    fixture.applyDestinations(
        """
        {"id": 9005, "name": "topic", "type": "kafka", "topic": "%s", "dataSource": 20001, "mappings": {"5001": "m5001"}}"""
            .formatted(topic));
    partnerSync.start(fixture, Map.of());
    List<ProfileUpdate> updates =
        IntStream.range(0, 100)
            .mapToObj(i -> joined("v" + i, 1, i % 2 == 0 ? 5001 : 5002))
            .toList();
    fixture.publish(updates);

    fixture.readUntil(topic, AvroSerde.of(PartnerSegmentUpdate.class), read -> read.size() >= 50);
    fixture.publish(List.of(joined("last", 1, 5001)));
    List<PartnerSegmentUpdate> written =
        fixture.readUntil(
            topic,
            AvroSerde.of(PartnerSegmentUpdate.class),
            read -> read.stream().anyMatch(update -> update.getVisitorId().equals("last")));
    assertThat(written).hasSize(51);
    assertThat(written).extracting(PartnerSegmentUpdate::getUpdateId).doesNotHaveDuplicates();
    assertThat(written)
        .allSatisfy(
            update -> {
              assertThat(update.getPartnerUserId()).isEqualTo("p-" + update.getVisitorId());
              assertThat(update.getAdded()).containsExactly("m5001");
              assertThat(update.getDestinationId()).isEqualTo(9005);
            });
    List<DeliveryAttempt> attempts =
        fixture.readUntil(
            fixture.topic(TopicRole.DELIVERIES),
            ATTEMPTS,
            read -> read.stream().mapToInt(attempt -> attempt.getVisitorIds().size()).sum() >= 51);
    assertThat(attempts)
        .allSatisfy(attempt -> assertThat(attempt.getChannel()).isEqualTo(DeliveryChannel.KAFKA));
  }
}
