package org.dmp.edge;

import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.dmp.avro.VisitEvent;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.serde.AvroSerde;

/** An edge on its own visits topic, and what it wrote there. */
final class EdgeFixture {
  private static final AvroSerde<VisitEvent> VISITS = AvroSerde.of(VisitEvent.class);

  final String bootstrap;
  final String topic;
  final EdgeServer server;
  final EdgeConfig config;

  private EdgeFixture(String bootstrap, String topic, EdgeServer server, EdgeConfig config) {
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.server = server;
    this.config = config;
  }

  /** Creates a fresh visits topic and starts an edge on a free port writing to it. */
  static EdgeFixture start(Vertx vertx, String bootstrap, String... settings) throws Exception {
    String topic = UniqueNames.topic("visits");
    try (Admin admin = KafkaClients.of(bootstrap).admin(Map.of())) {
      admin
          .createTopics(List.of(new NewTopic(topic, 2, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    EdgeConfig config = config(bootstrap, topic, settings);
    EdgeServer server = new EdgeServer(config);
    MainThread.await(vertx.deployVerticle(server), Duration.ofSeconds(60), "starting the edge");
    return new EdgeFixture(bootstrap, topic, server, config);
  }

  /** Starts another edge on this one's topic and settings, as a restart would. */
  EdgeFixture startAgain(Vertx vertx) throws InterruptedException {
    EdgeServer again = new EdgeServer(config);
    MainThread.await(vertx.deployVerticle(again), Duration.ofSeconds(60), "starting the edge");
    return new EdgeFixture(bootstrap, topic, again, config);
  }

  /** Reads an existing topic that another process wrote. */
  static EdgeFixture reader(String bootstrap, String topic) {
    return new EdgeFixture(bootstrap, topic, null, null);
  }

  /** What the edge's /metrics requires in tests. */
  static final String OPERATOR = "Bearer test-operator-token";

  static EdgeConfig config(String bootstrap, String topic, String... settings) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--kafka.bootstrap=" + bootstrap,
                "--http.host=127.0.0.1",
                "--http.port=0",
                "--http.instances=2",
                "--operator.token=test-operator-token",
                "--topic.visits.name=" + topic,
                // In memory, unless a test gives the edge a folder.
                "--optout.journal-dir="));
    args.addAll(List.of(settings));
    return EdgeConfig.SETTINGS.read(Map.of(), args, EdgeConfig::read);
  }

  int port() {
    return server.actualPort();
  }

  /** Reads the topic from the start until {@code done} holds for what was read (at most 60 s). */
  List<ConsumerRecord<String, byte[]>> readUntil(Predicate<List<VisitEvent>> done) {
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                UniqueNames.group("edge-reader"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                return done.test(events(records));
              });
    }
    return records;
  }

  /**
   * Every event on the topic once one satisfies {@code last}: used to show that nothing else was
   * written before it.
   */
  List<VisitEvent> eventsUpTo(Predicate<VisitEvent> last) {
    return events(readUntil(events -> events.stream().anyMatch(last)));
  }

  static List<VisitEvent> events(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream().map(record -> VISITS.decode(record.topic(), record.value())).toList();
  }

  static Stream<String> signal(VisitEvent event, String key) {
    return event.getSignals().getOrDefault(key, List.of()).stream();
  }
}
