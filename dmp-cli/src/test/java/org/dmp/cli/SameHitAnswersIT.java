package org.dmp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.RunningService;
import org.dmp.taxonomy.TaxonomyFile;
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

  private Composition composition;

  @AfterEach
  void stop() throws InterruptedException {
    composition.close();
  }

  @Test
  void answersAreFreshAgainAfterABurstPastCapacityAndAfterTheQualifierRestarts(
      EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
    composition = Composition.create(broker, dir, "answers", TaxonomyFile.sample());
    Composition.Qualifier qualifier = composition.startQualifier(0);
    int qualifierPort = qualifier.port();
    RunningService edge =
        composition.startEdge(qualifierPort, "--answers.max-in-flight=" + MAX_IN_FLIGHT);
    HttpClient client =
        composition
            .vertx()
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

    composition.stop(qualifier);
    assertThat(
            MainThread.await(
                    answer(client, "while-down"), START, "asking while the qualifier is down")
                .getBoolean("stale"))
        .as("answered, stale, while the qualifier is down")
        .isTrue();
    composition.startQualifier(qualifierPort);
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
                .request(
                    new RequestOptions()
                        .setHost("127.0.0.1")
                        .setPort(port)
                        .setURI("/metrics")
                        .putHeader("Authorization", "Bearer " + Composition.OPERATOR_TOKEN))
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
}
