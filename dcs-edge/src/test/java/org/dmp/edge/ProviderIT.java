package org.dmp.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.dmp.avro.DataSource;
import org.dmp.avro.InboundIds;
import org.dmp.avro.RealtimeProvider;
import org.dmp.avro.TaxonomyEntry;
import org.dmp.avro.VisitEvent;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.serde.AvroSerde;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Real-time data providers, each a real HTTP server, declared in the taxonomy topic. */
@ExtendWith({VertxExtension.class, KafkaBrokerExtension.class})
class ProviderIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final ConcurrentMap<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, JsonObject> questions = new ConcurrentHashMap<>();
  private String bootstrap;
  private String taxonomyTopic;
  private int providerPort;

  @BeforeEach
  void startProvider(Vertx vertx, EmbeddedKafkaBroker broker) throws Exception {
    bootstrap = broker.bootstrapServers();
    taxonomyTopic = UniqueNames.topic("taxonomy");
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create());
    router
        .post("/:name")
        .handler(
            context -> {
              String name = context.pathParam("name");
              calls.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
              questions.put(name, context.body().asJsonObject());
              switch (name) {
                case "good", "late-joiner" ->
                    context.json(
                        new JsonObject()
                            .put(
                                "signals",
                                new JsonObject().put("c_tier", List.of("gold")).put("score", 7))
                            .put("traits", List.of(201, 202)));
                case "long" ->
                    context.json(
                        new JsonObject()
                            .put(
                                "signals",
                                new JsonObject().put("c_big", List.of("x".repeat(1 << 20)))));
                case "slow" ->
                    vertx.setTimer(
                        1_000, id -> context.json(new JsonObject().put("traits", List.of(999))));
                default -> context.response().setStatusCode(500).end();
              }
            });
    HttpServer server =
        MainThread.await(
            vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"),
            WAIT,
            "provider");
    providerPort = server.actualPort();
    declare(30001, "good");
    declare(30002, "slow");
    declare(30003, "broken");
    declare(30005, null);
    declare(30006, "long");
  }

  @Test
  void aProvidersAnswerIsRecordedWithTheEventAndMissesAreCountedNotFatal(Vertx vertx)
      throws Exception {
    // A deadline the first call (a new connection, code not yet compiled) meets on a busy machine
    // too; "slow" takes 1 s.
    EdgeFixture edge =
        EdgeFixture.start(
            vertx,
            bootstrap,
            "--topic.taxonomy.name=" + taxonomyTopic,
            "--provider.failures-to-open=2",
            "--provider.reset-after=1h",
            "--provider.timeout=500ms");
    WebClient http =
        WebClient.create(
            vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(edge.port()));

    assertThat(get(http, "/event?c_n=good&d_cid=30001%01user-1", "dmp=111").statusCode())
        .isEqualTo(200);
    assertThat(get(http, "/event?c_n=slow&d_cid=30002%01user-2").statusCode()).isEqualTo(200);
    for (int i = 0; i < 4; i++) {
      assertThat(get(http, "/event?c_n=broken&d_cid=30003%01user-3").statusCode()).isEqualTo(200);
    }
    assertThat(get(http, "/event?c_n=none&d_cid=30005%01user-5").statusCode()).isEqualTo(200);

    List<VisitEvent> events = EdgeFixture.events(edge.readUntil(all -> all.size() == 7));
    VisitEvent good = only(events, "good");
    assertThat(good.getSignals())
        .containsEntry("c_tier", List.of("gold"))
        .containsEntry("score", List.of("7"));
    assertThat(good.getRealizedTraits()).containsExactly(201L, 202L);
    assertThat(questions.get("good"))
        .isEqualTo(
            new JsonObject()
                .put("dataSourceId", 30001)
                .put("partnerUserId", "user-1")
                .put("visitorId", "111"));
    assertThat(only(events, "slow").getRealizedTraits()).isEmpty();
    assertThat(only(events, "none").getSignals()).containsOnlyKeys("c_n");
    assertThat(calls.get("broken").get()).as("calls before the circuit opened").isEqualTo(2);

    assertThat(metrics(http))
        .contains("dmp_edge_provider_misses_total{data_source=\"30002\",reason=\"timeout\"} 1.0")
        .contains("dmp_edge_provider_misses_total{data_source=\"30003\",reason=\"error\"} 2.0")
        .contains(
            "dmp_edge_provider_misses_total{data_source=\"30003\",reason=\"circuit-open\"} 2.0");
  }

  @Test
  void anAnswerLongerThanTheBoundIsAMissAndNotKept(Vertx vertx) throws Exception {
    // Time enough to send a megabyte: the bound, not the deadline, must stop it.
    EdgeFixture edge =
        EdgeFixture.start(
            vertx, bootstrap, "--topic.taxonomy.name=" + taxonomyTopic, "--provider.timeout=5s");
    WebClient http =
        WebClient.create(
            vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(edge.port()));

    assertThat(get(http, "/event?c_n=long&d_cid=30006%01user-6").statusCode()).isEqualTo(200);

    assertThat(
            only(EdgeFixture.events(edge.readUntil(all -> all.size() == 1)), "long").getSignals())
        .containsOnlyKeys("c_n");
    assertThat(calls.get("long").get()).isEqualTo(1);
    assertThat(metrics(http))
        .contains(
            "dmp_edge_provider_misses_total{data_source=\"30006\",reason=\"invalid-answer\"} 1.0");
  }

  @Test
  void aProviderDeclaredWhileTheEdgeRunsIsAskedFromThenOn(Vertx vertx) throws Exception {
    EdgeFixture edge =
        EdgeFixture.start(vertx, bootstrap, "--topic.taxonomy.name=" + taxonomyTopic);
    WebClient http =
        WebClient.create(
            vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(edge.port()));

    declare(30004, "late-joiner");

    await()
        .atMost(WAIT)
        .until(
            () -> {
              get(http, "/event?c_n=late&d_cid=30004%01user-4", null);
              return calls.containsKey("late-joiner");
            });
  }

  @Test
  void traitsOverPrivateSignalsAreRealizedAtTheEdgeAndOnlyTheirIdsTravel(Vertx vertx)
      throws Exception {
    String topic = UniqueNames.topic("private-taxonomy");
    org.dmp.taxonomy.Taxonomy taxonomy =
        org.dmp.taxonomy.TaxonomyFile.parse(
            "private",
            """
        {"dataSources": [{"id": 1, "name": "Site"}],
         "traits": [
           {"id": 301, "name": "Rich car buyer", "dataSource": 1, "type": "rule", "rule": "p_income >= 50000 AND c_category == \\"cars\\""},
           {"id": 302, "name": "Car page", "dataSource": 1, "type": "rule", "rule": "c_category == \\"cars\\""}]}
        """);
    org.dmp.taxonomy.TaxonomyPublisher.apply(
        KafkaClients.of(bootstrap),
        org.dmp.schemas.topics.Topic.taxonomy(topic),
        taxonomy,
        "private",
        java.time.Clock.systemUTC());
    EdgeFixture edge = EdgeFixture.start(vertx, bootstrap, "--topic.taxonomy.name=" + topic);
    WebClient http =
        WebClient.create(
            vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(edge.port()));

    get(http, "/event?c_n=rich&c_category=cars&p_income=90000");
    get(http, "/event?c_n=poor&c_category=cars&p_income=10");

    var records = edge.readUntil(all -> all.size() == 2);
    List<VisitEvent> events = EdgeFixture.events(records);
    assertThat(only(events, "rich").getRealizedTraits()).containsExactly(301L);
    assertThat(only(events, "poor").getRealizedTraits()).isEmpty();
    records.forEach(
        record ->
            assertThat(new String(record.value(), java.nio.charset.StandardCharsets.ISO_8859_1))
                .doesNotContain("90000")
                .doesNotContain("p_income"));
  }

  private static String metrics(WebClient http) throws InterruptedException {
    return MainThread.await(
            http.get("/metrics").putHeader("Authorization", EdgeFixture.OPERATOR).send(),
            WAIT,
            "GET /metrics")
        .bodyAsString();
  }

  private void declare(long dataSourceId, String path) throws Exception {
    RealtimeProvider provider =
        path == null ? null : new RealtimeProvider("http://127.0.0.1:" + providerPort + "/" + path);
    TaxonomyEntry entry =
        new TaxonomyEntry(
            new DataSource(
                dataSourceId,
                "source " + dataSourceId,
                provider,
                null,
                null,
                InboundIds.PARTNER,
                List.of()));
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
            new StringSerializer(),
            AvroSerde.of(TaxonomyEntry.class).serializer())) {
      producer.send(new ProducerRecord<>(taxonomyTopic, "dataSource/" + dataSourceId, entry)).get();
      // Readers switch to what they gathered at a revision marker, as `dmp taxonomy apply` writes
      // one.
      producer
          .send(
              new ProducerRecord<>(
                  taxonomyTopic,
                  "revision",
                  new TaxonomyEntry(
                      new org.dmp.avro.TaxonomyRevision(
                          dataSourceId, java.time.Instant.now(), "test", 1))))
          .get();
    }
  }

  private static VisitEvent only(List<VisitEvent> events, String name) {
    return events.stream()
        .filter(event -> event.getSignals().get("c_n").contains(name))
        .findFirst()
        .orElseThrow();
  }

  private static HttpResponse<Buffer> get(WebClient http, String uri, String cookie)
      throws InterruptedException {
    var request = http.get(uri);
    if (cookie != null) {
      request.putHeader("Cookie", cookie);
    }
    return MainThread.await(request.send(), WAIT, "GET " + uri);
  }

  private static HttpResponse<Buffer> get(WebClient http, String uri) throws InterruptedException {
    return get(http, uri, null);
  }
}
