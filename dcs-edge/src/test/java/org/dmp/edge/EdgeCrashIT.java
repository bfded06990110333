package org.dmp.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.dmp.avro.VisitEvent;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.kafka.embedded.UniqueNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** kill -9 of the packaged edge under load: every call it answered 2xx must be in the topic. */
@ExtendWith({VertxExtension.class, KafkaBrokerExtension.class})
class EdgeCrashIT {
  private static final int CONCURRENT_CALLS = 32;
  private static final int ACKS_BEFORE_KILL = 500;

  private Process edge;

  @AfterEach
  void killLeftovers() throws InterruptedException {
    if (edge != null && edge.isAlive()) {
      edge.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void noAcknowledgedEventIsLostWhenTheEdgeIsKilledMidLoad(Vertx vertx, EmbeddedKafkaBroker broker)
      throws Exception {
    String topic = UniqueNames.topic("crash-visits");
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(topic, 3, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    int port = freePort();
    edge =
        new ProcessBuilder(
                javaBinary(),
                "-jar",
                Path.of("target", "dcs-edge.jar").toString(),
                "--kafka.bootstrap=" + broker.bootstrapServers(),
                "--http.host=127.0.0.1",
                "--http.port=" + port,
                "--topic.visits.name=" + topic,
                "--topic.taxonomy.name=" + UniqueNames.topic("crash-taxonomy"))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    WebClient http =
        WebClient.create(
            vertx,
            new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
            new PoolOptions().setHttp1MaxSize(CONCURRENT_CALLS));
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(
            () ->
                http.get("/health/ready")
                        .send()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get()
                        .statusCode()
                    == 200);

    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicBoolean killed = new AtomicBoolean();
    for (int i = 0; i < CONCURRENT_CALLS; i++) {
      vertx.runOnContext(start -> call(http, acknowledged, killed));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= ACKS_BEFORE_KILL);
    edge.destroyForcibly();
    killed.set(true);
    assertThat(edge.waitFor(30, TimeUnit.SECONDS)).isTrue();
    Set<String> answered = Set.copyOf(acknowledged);

    EdgeFixture reader = EdgeFixture.reader(broker.bootstrapServers(), topic);
    List<VisitEvent> events =
        EdgeFixture.events(
            reader.readUntil(
                read ->
                    read.stream()
                        .map(VisitEvent::getEventId)
                        .collect(java.util.stream.Collectors.toSet())
                        .containsAll(answered)));
    assertThat(events).extracting(VisitEvent::getEventId).containsAll(answered);
    assertThat(answered).hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_KILL);
  }

  /**
   * One call after another until the edge is killed; each 2xx answer's tid is an acknowledged
   * event.
   */
  private static void call(WebClient http, Set<String> acknowledged, AtomicBoolean killed) {
    if (killed.get()) {
      return;
    }
    http.get("/event?c_load=1&d_rtbd=json")
        .send()
        .onComplete(
            result -> {
              if (result.succeeded() && result.result().statusCode() / 100 == 2) {
                acknowledged.add(result.result().bodyAsJsonObject().getString("tid"));
              }
              call(http, acknowledged, killed);
            });
  }

  private static String javaBinary() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
