package org.dmp.qualifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.dmp.avro.EventSource;
import org.dmp.avro.PartnerId;
import org.dmp.avro.ProfileUpdate;
import org.dmp.avro.Segment;
import org.dmp.avro.VisitEvent;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.VisitorId;
import org.dmp.schemas.serde.AvroSerde;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.Taxonomy;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.taxonomy.TaxonomyPublisher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The qualifier as a running service on the embedded broker, with exactly-once output. */
@ExtendWith({VertxExtension.class, KafkaBrokerExtension.class})
class QualifierIT {
  /**
   * A day ago: the qualifier's ticks bring the clock's time, so events of a fixed date would one
   * day be older than the sample traits' TTL (120 days) when they are read, and realize nothing.
   */
  private static final Instant EVENTS_FROM =
      Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).minus(Duration.ofDays(1));

  private static final AvroSerde<VisitEvent> VISITS = AvroSerde.of(VisitEvent.class);

  @Test
  void qualifiesVisitsAndPicksUpANewTaxonomyWhileRunning(
      @TempDir Path stateDir, Vertx vertx, EmbeddedKafkaBroker broker) throws Exception {
    // Parameters are closed in reverse: Vert.x, and the qualifier in it, before its state folder.
    String bootstrap = broker.bootstrapServers();
    QualifierConfig config = QualifierSettings.create(bootstrap, stateDir);
    Topics topics = config.common().topics();
    Taxonomy sample = TaxonomyFile.sample();
    TaxonomyPublisher.apply(
        KafkaClients.of(bootstrap), topics.taxonomy(), sample, "sample", Clock.systemUTC());
    var running =
        MainThread.await(
            QualifierMain.start(vertx, config), Duration.ofSeconds(60), "starting the qualifier");
    var http = io.vertx.ext.web.client.WebClient.create(vertx);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                MainThread.await(
                            http.get(running.httpPort(), "127.0.0.1", "/health/ready").send(),
                            Duration.ofSeconds(10),
                            "ready")
                        .statusCode()
                    == 200);

    try (var producer =
            new KafkaProducer<>(
                Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(),
                VISITS.serializer());
        var consumer =
            new KafkaConsumer<>(
                Map.<String, Object>of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG,
                    UniqueNames.group("updates"),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                    "read_committed",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                    "earliest"),
                new StringDeserializer(),
                AvroSerde.of(ProfileUpdate.class).deserializer())) {
      consumer.subscribe(List.of(topics.name(TopicRole.SEGMENTS)));
      List<ProfileUpdate> updates = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        producer
            .send(new ProducerRecord<>(topics.name(TopicRole.VISITS), "4242", shoeEvent("4242", i)))
            .get();
      }
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                consumer
                    .poll(Duration.ofMillis(200))
                    .forEach(
                        record -> {
                          if (record.value() != null) {
                            updates.add(record.value());
                          }
                        });
                return updates.stream().anyMatch(update -> update.getSegments().contains(5001L));
              });
      assertThat(updates)
          .singleElement()
          .satisfies(update -> assertThat(update.getAdded()).containsExactly(5001L));

      // The same-hit query API: the profile as processed, or what there is once the wait runs out.
      io.vertx.core.json.JsonObject now = query(http, running.httpPort(), "/segments/1");
      assertThat(now.getJsonArray("segments")).as("an unknown visitor").isEmpty();
      var known = query(http, running.httpPort(), "/segments/4242");
      assertThat(known.getJsonArray("segments").getList()).containsExactly(5001);
      assertThat(known.getJsonArray("traits").getList()).containsExactly(101);
      var notYet = query(http, running.httpPort(), "/segments/1?partition=0&offset=999999&wait=20");
      assertThat(notYet.getBoolean("stale")).isTrue();
      assertThat(
              MainThread.await(
                      http.get(running.httpPort(), "127.0.0.1", "/segments/q1")
                          .putHeader("Authorization", "Bearer " + QualifierSettings.OPERATOR_TOKEN)
                          .send(),
                      Duration.ofSeconds(10),
                      "query")
                  .statusCode())
          .as("visitor ids are digits")
          .isEqualTo(400);
      for (String authorization : new String[] {null, "Bearer wrong-operator-token"}) {
        var request = http.get(running.httpPort(), "127.0.0.1", "/segments/4242");
        if (authorization != null) {
          request.putHeader("Authorization", authorization);
        }
        var refused = MainThread.await(request.send(), Duration.ofSeconds(10), "query");
        assertThat(refused.statusCode()).as("whole profiles, to anyone").isEqualTo(401);
        assertThat(refused.bodyAsString()).doesNotContain("5001");
        assertThat(
                MainThread.await(
                        http.get(running.httpPort(), "127.0.0.1", "/metrics").send(),
                        Duration.ofSeconds(10),
                        "metrics")
                    .statusCode())
            .isEqualTo(401);
      }

      List<Segment> segments = new ArrayList<>(sample.segments());
      segments.add(new Segment(5003L, "Any shoe page", null, "[101T]"));
      TaxonomyPublisher.apply(
          KafkaClients.of(bootstrap),
          topics.taxonomy(),
          new Taxonomy(sample.dataSources(), sample.traits(), segments, sample.destinations()),
          "with 5003",
          Clock.systemUTC());
      int[] next = {3};
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                producer
                    .send(
                        new ProducerRecord<>(
                            topics.name(TopicRole.VISITS), "4242", shoeEvent("4242", next[0]++)))
                    .get();
                consumer
                    .poll(Duration.ofMillis(300))
                    .forEach(
                        record -> {
                          if (record.value() != null) {
                            updates.add(record.value());
                          }
                        });
                return updates.stream().anyMatch(update -> update.getAdded().contains(5003L));
              });

      // An opt-out naming the visitor only by a partner id, sent once: the qualifier finds them
      // through the id map, on the partner id's partition.
      VisitEvent synced =
          VisitEvent.newBuilder(shoeEvent("4343", 0))
              .setPartnerIds(List.of(new PartnerId(20001L, "crm-4343")))
              .build();
      producer.send(new ProducerRecord<>(topics.name(TopicRole.VISITS), "4343", synced)).get();
      VisitEvent optOut =
          VisitEvent.newBuilder(shoeEvent(VisitorId.OPTED_OUT, 1))
              .setSource(EventSource.OPT_OUT)
              .setSignals(Map.of())
              .setPartnerIds(List.of(new PartnerId(20001L, "crm-4343")))
              .build();
      producer
          .send(new ProducerRecord<>(topics.name(TopicRole.VISITS), VisitorId.OPTED_OUT, optOut))
          .get();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                consumer
                    .poll(Duration.ofMillis(300))
                    .forEach(
                        record -> {
                          if (record.value() != null) {
                            updates.add(record.value());
                          }
                        });
                return updates.stream()
                    .anyMatch(
                        update -> update.getVisitorId().equals("4343") && update.getOptedOut());
              });
      assertThat(updates).noneMatch(update -> update.getVisitorId().equals(VisitorId.OPTED_OUT));
    }
  }

  /**
   * The API's answer once it has one: during a rebalance it answers 503 and the caller asks again.
   */
  private static io.vertx.core.json.JsonObject query(
      io.vertx.ext.web.client.WebClient http, int port, String uri) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                MainThread.await(
                        http.get(port, "127.0.0.1", uri)
                            .putHeader(
                                "Authorization", "Bearer " + QualifierSettings.OPERATOR_TOKEN)
                            .send(),
                        Duration.ofSeconds(10),
                        "query")
                    .bodyAsJsonObject(),
            answer -> !answer.containsKey("error"));
  }

  private static VisitEvent shoeEvent(String visitorId, int n) {
    return VisitEvent.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setVisitorId(visitorId)
        .setTime(EVENTS_FROM.plusSeconds(n))
        .setSource(EventSource.EDGE)
        .setSignals(Map.of("c_category", List.of("shoes")))
        .build();
  }
}
