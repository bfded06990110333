package org.dmp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.runtime.kafka.KafkaClients;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A service that is told to stop: readiness turns 503, calls in flight are answered, then the
 * server closes.
 */
@ExtendWith(KafkaBrokerExtension.class)
class DrainingIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final Vertx service = Vertx.vertx();
  private final Vertx clients = Vertx.vertx();

  @AfterEach
  void close() throws InterruptedException {
    MainThread.await(clients.close(), WAIT, "closing the clients");
  }

  @Test
  void readinessTurns503ThenCallsInFlightFinishThenTheServerCloses(EmbeddedKafkaBroker broker)
      throws Exception {
    Promise<Void> release = Promise.promise();
    AtomicBoolean slowCallArrived = new AtomicBoolean();
    StatusServerVerticle server =
        new StatusServerVerticle(
            "test",
            new HttpEndpoint("127.0.0.1", 0, Duration.ofMillis(300), Duration.ofSeconds(20)),
            KafkaClients.of(broker.bootstrapServers()),
            HealthRoutes.Readiness.ALWAYS,
            router ->
                router
                    .get("/slow")
                    .handler(
                        context -> {
                          slowCallArrived.set(true);
                          release.future().onComplete(done -> context.response().end("answered"));
                        }));
    MainThread.await(service.deployVerticle(server), WAIT, "deploying");
    WebClient http =
        WebClient.create(
            clients,
            new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.actualPort()));
    assertThat(get(http, "/health/ready").statusCode()).isEqualTo(200);

    Future<HttpResponse<Buffer>> inFlight = http.get("/slow").send();
    await().atMost(WAIT).untilTrue(slowCallArrived);
    CompletableFuture<Void> stopped =
        CompletableFuture.runAsync(() -> ServiceMain.stop(service, "test", Duration.ofSeconds(2)));

    await().atMost(WAIT).until(() -> get(http, "/health/ready").statusCode() == 503);
    assertThat(get(http, "/health/ready").bodyAsJsonObject().getString("detail"))
        .startsWith("shutting down");
    // Past the drain delay the server takes no new connection, while the call in flight still waits
    // for its answer.
    int port = server.actualPort();
    await().atMost(WAIT).until(() -> refused(port));
    assertThat(inFlight.isComplete()).isFalse();
    assertThat(stopped).isNotDone();

    service.runOnContext(go -> release.complete());

    HttpResponse<Buffer> answered = MainThread.await(inFlight, WAIT, "the call in flight");
    assertThat(answered.statusCode()).isEqualTo(200);
    assertThat(answered.bodyAsString()).isEqualTo("answered");
    stopped.get();
  }

  private static HttpResponse<Buffer> get(WebClient http, String uri) throws InterruptedException {
    return MainThread.await(http.get(uri).send(), WAIT, "GET " + uri);
  }

  /** Whether a call on a new connection is refused. */
  private boolean refused(int port) throws InterruptedException {
    WebClient fresh = WebClient.create(clients, new WebClientOptions().setKeepAlive(false));
    try {
      MainThread.await(fresh.get(port, "127.0.0.1", "/health/live").send(), WAIT, "a new call");
      return false;
    } catch (IllegalStateException failed) {
      return true;
    } finally {
      fresh.close();
    }
  }
}
