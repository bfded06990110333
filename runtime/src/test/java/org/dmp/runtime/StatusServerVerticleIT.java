package org.dmp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.net.ServerSocket;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.runtime.kafka.KafkaClients;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({VertxExtension.class, KafkaBrokerExtension.class})
class StatusServerVerticleIT {

  @Test
  void readyWhileKafkaAnswers(Vertx vertx, VertxTestContext test, EmbeddedKafkaBroker broker) {
    StatusServerVerticle server =
        new StatusServerVerticle(
            "test", new HttpEndpoint("127.0.0.1", 0), KafkaClients.of(broker.bootstrapServers()));

    vertx
        .deployVerticle(server)
        .compose(id -> get(vertx, server.actualPort(), "/health/ready"))
        .onComplete(
            test.succeeding(
                response ->
                    test.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(200);
                          assertThat(response.bodyAsJsonObject().getString("status"))
                              .isEqualTo("UP");
                          assertThat(response.bodyAsJsonObject().getString("detail"))
                              .contains(broker.bootstrapServers());
                          test.completeNow();
                        })));
  }

  @Test
  void notReadyWhileTheServiceSaysSoEvenWithKafka(
      Vertx vertx, VertxTestContext test, EmbeddedKafkaBroker broker) {
    StatusServerVerticle server =
        new StatusServerVerticle(
            "test",
            new HttpEndpoint("127.0.0.1", 0),
            KafkaClients.of(broker.bootstrapServers()),
            () -> java.util.Optional.of("the streams are created"),
            router -> {});

    vertx
        .deployVerticle(server)
        .compose(id -> get(vertx, server.actualPort(), "/health/ready"))
        .onComplete(
            test.succeeding(
                response ->
                    test.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(503);
                          assertThat(response.bodyAsJsonObject().getString("detail"))
                              .isEqualTo("the streams are created");
                          test.completeNow();
                        })));
  }

  @Test
  void aliveButNotReadyWithoutKafka(Vertx vertx, VertxTestContext test) throws IOException {
    StatusServerVerticle server =
        new StatusServerVerticle(
            "test", new HttpEndpoint("127.0.0.1", 0), KafkaClients.of("127.0.0.1:" + closedPort()));

    vertx
        .deployVerticle(server)
        .compose(
            id ->
                Future.all(
                    get(vertx, server.actualPort(), "/health/live"),
                    get(vertx, server.actualPort(), "/health/ready")))
        .onComplete(
            test.succeeding(
                both ->
                    test.verify(
                        () -> {
                          HttpResponse<Buffer> live = both.resultAt(0);
                          HttpResponse<Buffer> ready = both.resultAt(1);
                          assertThat(live.statusCode()).isEqualTo(200);
                          assertThat(ready.statusCode()).isEqualTo(503);
                          assertThat(ready.bodyAsJsonObject().getString("status"))
                              .isEqualTo("DOWN");
                          assertThat(ready.bodyAsJsonObject().getString("detail"))
                              .contains("unreachable");
                          test.completeNow();
                        })));
  }

  private static Future<HttpResponse<Buffer>> get(Vertx vertx, int port, String path) {
    return WebClient.create(vertx).get(port, "127.0.0.1", path).send();
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
