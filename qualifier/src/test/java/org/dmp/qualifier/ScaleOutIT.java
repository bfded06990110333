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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
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
 * Two qualifier instances with one application id split the partitions, and either answers for any
 * visitor.
 */
@ExtendWith({VertxExtension.class, KafkaBrokerExtension.class})
class ScaleOutIT {
  /**
   * A day ago: the qualifier's ticks bring the clock's time, so events of a fixed date would one
   * day be older than the sample traits' TTL (120 days) when they are read, and realize nothing.
   */
  private static final Instant EVENTS_FROM =
      Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).minus(Duration.ofDays(1));

  private static final int VISITORS = 30;

  @Test
  void twoInstancesShareThePartitionsAndForwardQuestionsToTheOwner(
      @TempDir Path dir, Vertx vertx, EmbeddedKafkaBroker broker) throws Exception {
    // Parameters are closed in reverse: Vert.x, and the qualifier in it, before its state folder.
    String bootstrap = broker.bootstrapServers();
    String applicationId = UniqueNames.group("scale-out");
    List<String> shared =
        List.of(
            "--kafka.bootstrap=" + bootstrap,
            "--http.host=127.0.0.1",
            "--http.port=0",
            "--operator.token=" + QualifierSettings.OPERATOR_TOKEN,
            "--topic.visits.name=" + UniqueNames.topic("so-visits"),
            "--topic.segments.name=" + UniqueNames.topic("so-segments"),
            "--topic.idmap.name=" + UniqueNames.topic("so-idmap"),
            "--topic.taxonomy.name=" + UniqueNames.topic("so-taxonomy"),
            "--qualifier.application-id=" + applicationId);
    QualifierConfig first = config(shared, dir.resolve("a"));
    QualifierConfig second = config(shared, dir.resolve("b"));
    Topics topics = first.common().topics();
    try (Admin admin = KafkaClients.of(bootstrap).admin(Map.of())) {
      topics.createMissing(admin);
    }
    TaxonomyPublisher.apply(
        KafkaClients.of(bootstrap),
        topics.taxonomy(),
        TaxonomyFile.sample(),
        "sample",
        Clock.systemUTC());
    RunningService a =
        MainThread.await(QualifierMain.start(vertx, first), Duration.ofSeconds(60), "instance a");
    RunningService b =
        MainThread.await(QualifierMain.start(vertx, second), Duration.ofSeconds(60), "instance b");
    WebClient http = WebClient.create(vertx);
    for (RunningService instance : List.of(a, b)) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  MainThread.await(
                              http.get(instance.httpPort(), "127.0.0.1", "/health/ready").send(),
                              Duration.ofSeconds(10),
                              "ready")
                          .statusCode()
                      == 200);
    }

    produceShoePages(bootstrap, topics);
    awaitUpdates(bootstrap, topics);

    int ownedByA = 0;
    int ownedByB = 0;
    for (int i = 0; i < VISITORS; i++) {
      String visitor = Integer.toString(1000 + i);
      JsonObject fromA = query(http, a, visitor, false);
      JsonObject fromB = query(http, b, visitor, false);
      assertThat(fromA.getJsonArray("segments").getList())
          .as("visitor %s asked of a", visitor)
          .containsExactly(5001);
      assertThat(fromB).as("visitor %s asked of b", visitor).isEqualTo(fromA);
      // Asked not to forward, only the owner knows the visitor.
      boolean aOwns = !query(http, a, visitor, true).getJsonArray("segments").isEmpty();
      boolean bOwns = !query(http, b, visitor, true).getJsonArray("segments").isEmpty();
      assertThat(aOwns).as("exactly one instance owns visitor %s", visitor).isNotEqualTo(bOwns);
      ownedByA += aOwns ? 1 : 0;
      ownedByB += bOwns ? 1 : 0;
    }
    assertThat(ownedByA).as("visitors on a's partitions").isPositive();
    assertThat(ownedByB).as("visitors on b's partitions").isPositive();
  }

  /**
   * The instance's answer, once it has one: while partitions move between the two, it answers 503.
   */
  private static JsonObject query(
      WebClient http, RunningService instance, String visitor, boolean localOnly) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              var request =
                  http.get(instance.httpPort(), "127.0.0.1", "/segments/" + visitor)
                      .putHeader("Authorization", "Bearer " + QualifierSettings.OPERATOR_TOKEN);
              if (localOnly) {
                request.putHeader("X-DMP-Forwarded", "1");
              }
              return MainThread.await(request.send(), Duration.ofSeconds(10), "query")
                  .bodyAsJsonObject();
            },
            answer -> !answer.containsKey("error"));
  }

  private static QualifierConfig config(List<String> shared, Path stateDir) {
    List<String> args = new ArrayList<>(shared);
    args.add("--qualifier.state-dir=" + stateDir);
    return QualifierConfig.SETTINGS.read(Map.of(), args, QualifierConfig::read);
  }

  private static void produceShoePages(String bootstrap, Topics topics) throws Exception {
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
            new StringSerializer(),
            AvroSerde.of(VisitEvent.class).serializer())) {
      for (int n = 0; n < 3; n++) {
        for (int i = 0; i < VISITORS; i++) {
          String visitor = Integer.toString(1000 + i);
          producer.send(
              new ProducerRecord<>(
                  topics.name(TopicRole.VISITS),
                  visitor,
                  VisitEvent.newBuilder()
                      .setEventId(visitor + "-" + n)
                      .setVisitorId(visitor)
                      .setTime(EVENTS_FROM.plusSeconds(n))
                      .setSource(EventSource.EDGE)
                      .setSignals(Map.of("c_category", List.of("shoes")))
                      .build()));
        }
      }
      producer.flush();
    }
  }

  private static void awaitUpdates(String bootstrap, Topics topics) {
    try (var consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                UniqueNames.group("so-reader"),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            AvroSerde.of(ProfileUpdate.class).deserializer())) {
      consumer.subscribe(List.of(topics.name(TopicRole.SEGMENTS)));
      Set<String> qualified = new HashSet<>();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                consumer
                    .poll(Duration.ofMillis(200))
                    .forEach(record -> qualified.add(record.key()));
                return qualified.size() == VISITORS;
              });
    }
  }
}
