package org.dmp.qualifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.dmp.avro.EventSource;
import org.dmp.avro.ProfileUpdate;
import org.dmp.avro.VisitEvent;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.RunningService;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.serde.AvroSerde;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.taxonomy.TaxonomyPublisher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * One visitor, and no other traffic on any partition: the qualifier's own ticks move time on, and
 * the visitor leaves their segment when their trait's one-day TTL runs out, without coming back.
 * The visit is stamped a day before the test's clock, plus a few seconds, so the TTL runs out
 * seconds into the test.
 */
@ExtendWith({VertxExtension.class, KafkaBrokerExtension.class})
class QuietPartitionIT {
  private static final String TAXONOMY =
      """
      {"dataSources": [{"id": 1, "name": "Site tags"}],
       "traits": [{"id": 101, "name": "Shoe page viewer", "dataSource": 1, "type": "rule",
                   "rule": "c_category == \\"shoes\\"", "ttlDays": 1}],
       "segments": [{"id": 5001, "name": "Shoe page viewers", "rule": "[101T]"}]}
      """;

  @Test
  void aVisitorAloneLeavesTheirSegmentWhenTheTtlRunsOut(
      @TempDir Path stateDir, Vertx vertx, EmbeddedKafkaBroker broker) throws Exception {
    // Parameters are closed in reverse: Vert.x, and the qualifier in it, before its state folder.
    String bootstrap = broker.bootstrapServers();
    QualifierConfig config =
        QualifierSettings.create(
            bootstrap, stateDir, "--qualifier.tick-interval=200ms", "--qualifier.grace=1s");
    Topics topics = config.common().topics();
    TaxonomyPublisher.apply(
        KafkaClients.of(bootstrap),
        topics.taxonomy(),
        TaxonomyFile.parse("quiet test", TAXONOMY),
        "quiet test",
        Clock.systemUTC());
    RunningService running =
        MainThread.await(
            QualifierMain.start(vertx, config), Duration.ofSeconds(60), "starting the qualifier");
    WebClient http = WebClient.create(vertx);

    Instant visited =
        Instant.now().truncatedTo(ChronoUnit.MILLIS).minus(Duration.ofDays(1)).plusSeconds(8);
    Instant ttlRunsOut = visited.plus(Duration.ofDays(1));
    try (var producer =
            KafkaClients.of(bootstrap)
                .producer(
                    Map.of(), new StringSerializer(), AvroSerde.of(VisitEvent.class).serializer());
        var consumer =
            KafkaClients.of(bootstrap)
                .consumer(
                    Map.of(
                        ConsumerConfig.GROUP_ID_CONFIG,
                        UniqueNames.group("quiet-updates"),
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed",
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                    new StringDeserializer(),
                    AvroSerde.of(ProfileUpdate.class).deserializer())) {
      consumer.subscribe(List.of(topics.name(TopicRole.SEGMENTS)));
      producer
          .send(
              new ProducerRecord<>(
                  topics.name(TopicRole.VISITS),
                  "4242",
                  VisitEvent.newBuilder()
                      .setEventId("the-only-visit")
                      .setVisitorId("4242")
                      .setTime(visited)
                      .setSource(EventSource.EDGE)
                      .setSignals(Map.of("c_category", List.of("shoes")))
                      .build()))
          .get();

      List<ProfileUpdate> updates = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                consumer
                    .poll(Duration.ofMillis(200))
                    .forEach(record -> updates.add(record.value()));
                return updates.stream().anyMatch(update -> !update.getRemoved().isEmpty());
              });

      assertThat(updates).hasSize(2);
      assertThat(updates.get(0).getAdded()).containsExactly(5001L);
      assertThat(updates.get(0).getCauseEventId()).isEqualTo("the-only-visit");
      ProfileUpdate left = updates.get(1);
      assertThat(left.getRemoved()).containsExactly(5001L);
      assertThat(left.getCauseEventId()).as("time alone").isNull();
      assertThat(left.getTime()).as("at the TTL's edge exactly").isEqualTo(ttlRunsOut);
      assertThat(Instant.now())
          .as("left after the edge had passed, plus the grace, on the wall clock")
          .isAfterOrEqualTo(ttlRunsOut.plus(config.grace()));

      String metrics =
          MainThread.await(
                  http.get(running.httpPort(), "127.0.0.1", "/metrics")
                      .putHeader("Authorization", "Bearer " + QualifierSettings.OPERATOR_TOKEN)
                      .send(),
                  Duration.ofSeconds(10),
                  "metrics")
              .bodyAsString();
      assertThat(metrics)
          .contains("dmp_qualifier_time_lag_seconds{partition=\"0\"}")
          .contains("dmp_qualifier_late_events_total");
      JsonObject ready =
          MainThread.await(
                  http.get(running.httpPort(), "127.0.0.1", "/health/ready").send(),
                  Duration.ofSeconds(10),
                  "ready")
              .bodyAsJsonObject();
      assertThat(ready.getString("status")).isEqualTo("UP");
      assertThat(ready.containsKey("warnings")).as("ticks keep time current").isFalse();
    }
  }
}
