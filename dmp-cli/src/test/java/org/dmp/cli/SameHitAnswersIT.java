package org.dmp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.dmp.edge.EdgeConfig;
import org.dmp.edge.EdgeMain;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.qualifier.QualifierConfig;
import org.dmp.qualifier.QualifierMain;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.RunningService;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.taxonomy.TaxonomyPublisher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge's same-hit answers as deployed, with the qualifier: a burst far past what the qualifier
 * can answer in time, or a restarted qualifier, leaves answers fresh again within seconds, by
 * themselves.
 */
@ExtendWith(KafkaBrokerExtension.class)
class SameHitAnswersIT {
  private static final Duration START = Duration.ofSeconds(60);
  private static final int BURST = 4_000;
  private static final int MAX_IN_FLIGHT = 8;

  private final List<Vertx> started = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (Vertx vertx : started) {
      MainThread.await(vertx.close(), START, "closing");
    }
  }

  @Test
  void answersAreFreshAgainAfterABurstPastCapacityAndAfterTheQualifierRestarts(
      EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
    String bootstrap = broker.bootstrapServers();
    List<String> common =
        List.of(
            "--kafka.bootstrap=" + bootstrap,
            "--http.host=127.0.0.1",
            "--topic.visits.name=" + UniqueNames.topic("answers-visits"),
            "--topic.segments.name=" + UniqueNames.topic("answers-segments"),
            "--topic.idmap.name=" + UniqueNames.topic("answers-idmap"),
            "--topic.taxonomy.name=" + UniqueNames.topic("answers-taxonomy"));
    List<String> qualifierSettings =
        concat(
            common,
            "--qualifier.application-id=" + UniqueNames.group("answers"),
            "--qualifier.state-dir=" + dir.resolve("qualifier"),
            "--qualifier.instance-id=answers-1");
    Topics topics =
        QualifierConfig.SETTINGS
            .read(Map.of(), concat(qualifierSettings, "--http.port=0"), QualifierConfig::read)
            .common()
            .topics();
    try (Admin admin = KafkaClients.of(bootstrap).admin(Map.of())) {
      topics.createMissing(admin);
    }
    TaxonomyPublisher.apply(
        KafkaClients.of(bootstrap),
        topics.taxonomy(),
        TaxonomyFile.sample(),
        "sample",
        Clock.systemUTC());

    Vertx qualifierVertx = vertx();
    int qualifierPort = startQualifier(qualifierVertx, qualifierSettings, 0);
    Vertx edgeVertx = vertx();
    RunningService edge =
        MainThread.await(
            EdgeMain.start(
                edgeVertx,
                EdgeConfig.SETTINGS.read(
                    Map.of(),
                    concat(
                        common,
                        "--http.port=0",
                        "--answers.qualifier-url=http://127.0.0.1:" + qualifierPort,
                        "--answers.max-in-flight=" + MAX_IN_FLIGHT),
                    EdgeConfig::read)),
            START,
            "starting the edge");
    HttpClient client =
        vertx()
            .httpClientBuilder()
            .with(new HttpClientOptions().setDefaultPort(edge.httpPort()))
            .with(new PoolOptions().setHttp1MaxSize(200).setMaxWaitQueueSize(BURST))
            .build();

    awaitFreshAnswers(client);

    List<Future<JsonObject>> burst = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      burst.add(answer(client, "b" + i));
    }
    List<JsonObject> answers = MainThread.await(Future.all(burst), START, "the burst").list();
    assertThat(answers)
        .as("the burst went past what could be answered in time")
        .anyMatch(answer -> answer.getBoolean("stale", false));
    awaitFreshAnswers(client);

    MainThread.await(qualifierVertx.close(), START, "stopping the qualifier");
    started.remove(qualifierVertx);
    assertThat(
            MainThread.await(
                    answer(client, "while-down"), START, "asking while the qualifier is down")
                .getBoolean("stale"))
        .as("answered, stale, while the qualifier is down")
        .isTrue();
    startQualifier(vertx(), qualifierSettings, qualifierPort);
    awaitFreshAnswers(client);

    assertThat(metrics(client, edge.httpPort()))
        .containsPattern("dmp_edge_answers_total\\{outcome=\"stale\"} [1-9]")
        .containsPattern("dmp_edge_answers_total\\{outcome=\"fresh\"} [1-9]")
        .containsPattern("dmp_edge_answers_total\\{outcome=\"failed\"} [1-9]")
        .containsPattern("dmp_stage_latency_seconds_count\\{stage=\"edge_acknowledged\"} [1-9]");
    assertThat(metrics(client, qualifierPort))
        .containsPattern("dmp_stage_latency_seconds_count\\{stage=\"qualifier_processed\"} [1-9]");
  }

  private static String metrics(HttpClient client, int port) throws InterruptedException {
    return MainThread.await(
            client
                .request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI("/metrics"))
                .compose(request -> request.send())
                .compose(response -> response.body()),
            START,
            "reading the metrics")
        .toString();
  }

  /**
   * Thirty answers in a row, each for a visitor's third shoe page, carry segment 5001 and are
   * fresh.
   */
  private static void awaitFreshAnswers(HttpClient client) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              for (int i = 0; i < 30; i++) {
                String visitor = "f" + System.nanoTime();
                JsonObject answer = null;
                for (int call = 0; call < 3; call++) {
                  answer = MainThread.await(answer(client, visitor), START, "a fresh answer");
                }
                if (answer.getBoolean("stale", false)
                    || !answer.getJsonArray("segments").contains(5001)) {
                  return false;
                }
              }
              return true;
            });
  }

  private static Future<JsonObject> answer(HttpClient client, String visitor) {
    String uri =
        "/event?c_category=shoes&d_rtbd=json&d_cts=2&d_uuid="
            + Integer.toUnsignedString(visitor.hashCode());
    return client
        .request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setURI(uri))
        .compose(request -> request.send())
        .compose(
            response ->
                response
                    .body()
                    .map(
                        body -> {
                          assertThat(response.statusCode()).as(body.toString()).isEqualTo(200);
                          return body.toJsonObject();
                        }));
  }

  private int startQualifier(Vertx vertx, List<String> settings, int port)
      throws InterruptedException {
    return MainThread.await(
            QualifierMain.start(
                vertx,
                QualifierConfig.SETTINGS.read(
                    Map.of(), concat(settings, "--http.port=" + port), QualifierConfig::read)),
            START,
            "starting the qualifier")
        .httpPort();
  }

  private Vertx vertx() {
    Vertx vertx = Vertx.vertx();
    started.add(vertx);
    return vertx;
  }

  private static List<String> concat(List<String> settings, String... more) {
    return Stream.concat(settings.stream(), Stream.of(more)).toList();
  }
}
