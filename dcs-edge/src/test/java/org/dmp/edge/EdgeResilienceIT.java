package org.dmp.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.dmp.avro.EventSource;
import org.dmp.avro.VisitEvent;
import org.dmp.edge.http.Unavailable;
import org.dmp.edge.metrics.EdgeMetrics;
import org.dmp.edge.visit.KafkaVisitLog;
import org.dmp.edge.visit.VisitLog.LogPosition;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.runtime.MainThread;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The edge under a Kafka outage, a full budget, and over TLS. */
@ExtendWith({VertxExtension.class, KafkaBrokerExtension.class})
class EdgeResilienceIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void answers503WithRetryAfterWhileKafkaIsDownAndResumesWhenItReturns(
      Vertx vertx, @TempDir Path dataDir) throws Exception {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDir, 0, Map.of());
    int kafkaPort = broker.port();
    try {
      EdgeFixture edge =
          EdgeFixture.start(vertx, broker.bootstrapServers(), "--produce.timeout=2s");
      WebClient http = client(vertx, edge.port(), false);
      assertThat(get(http, "/event?c_n=before").statusCode()).isEqualTo(200);

      broker.close();
      await().atMost(WAIT).until(() -> get(http, "/health/ready").statusCode() == 503);
      HttpResponse<Buffer> refused = get(http, "/event?c_n=during");
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
      assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("Kafka is unreachable");
      // The user's choice does not wait for Kafka.
      HttpResponse<Buffer> optedOut = get(http, "/demoptout.jpg?d_uuid=4242");
      assertThat(optedOut.statusCode()).isEqualTo(200);
      assertThat(optedOut.getHeader("Set-Cookie")).startsWith("dmp=NOTARGET;");

      broker = EmbeddedKafkaBroker.start(dataDir, kafkaPort, Map.of());
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> get(http, "/event?c_n=after").statusCode() == 200);

      var events =
          edge.eventsUpTo(
              event ->
                  event.getSignals().getOrDefault("c_n", java.util.List.of()).contains("after"));
      assertThat(events)
          .filteredOn(event -> event.getSignals().containsKey("c_n"))
          .extracting(event -> event.getSignals().get("c_n").get(0))
          .contains("before", "after");
      edge.eventsUpTo(
          event -> event.getSource() == EventSource.OPT_OUT && event.getVisitorId().equals("4242"));
    } finally {
      broker.close();
    }
  }

  @Test
  void anOptOutWaitingForKafkaSurvivesARestartOfTheEdge(@TempDir Path dir, Vertx vertx)
      throws Exception {
    Path journal = dir.resolve("optout-journal");
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0, Map.of());
    int kafkaPort = broker.port();
    Vertx firstEdge = Vertx.vertx();
    try {
      EdgeFixture edge =
          EdgeFixture.start(
              firstEdge,
              broker.bootstrapServers(),
              "--produce.timeout=2s",
              "--optout.journal-dir=" + journal);
      WebClient http = client(vertx, edge.port(), false);
      broker.close();
      await().atMost(WAIT).until(() -> get(http, "/health/ready").statusCode() == 503);

      HttpResponse<Buffer> optedOut = get(http, "/demoptout.jpg?d_uuid=4343");
      assertThat(optedOut.statusCode()).isEqualTo(200);
      assertThat(optedOut.getHeader("Set-Cookie")).startsWith("dmp=NOTARGET;");
      try (var kept = Files.list(journal)) {
        assertThat(kept.map(file -> file.getFileName().toString()))
            .as("answered once kept on disk")
            .singleElement()
            .asString()
            .endsWith(".optout");
      }
      MainThread.await(firstEdge.close(), WAIT, "stopping the edge while Kafka is down");

      broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), kafkaPort, Map.of());
      edge.startAgain(vertx);
      edge.eventsUpTo(
          event -> event.getSource() == EventSource.OPT_OUT && event.getVisitorId().equals("4343"));
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                try (var kept = Files.list(journal)) {
                  assertThat(kept).as("its file goes once Kafka has it").isEmpty();
                }
              });
    } finally {
      MainThread.await(firstEdge.close(), WAIT, "stopping the first edge");
      broker.close();
    }
  }

  @Test
  void refusesAtOnceWhenTheInFlightBudgetIsUsedUp(Vertx vertx, EmbeddedKafkaBroker broker)
      throws Exception {
    EdgeFixture edge = EdgeFixture.start(vertx, broker.bootstrapServers());
    // A long linger keeps the first event unacknowledged while the second is offered.
    EdgeConfig config =
        EdgeFixture.config(
            broker.bootstrapServers(),
            edge.topic,
            "--produce.max-in-flight=1",
            "--produce.linger=500ms");
    KafkaVisitLog log =
        MainThread.await(
            KafkaVisitLog.start(
                vertx,
                config.common().kafka(),
                config.common().topics().visits(),
                config.produce(),
                () -> true,
                new EdgeMetrics()),
            WAIT,
            "visit log");
    try {
      Promise<Future<LogPosition>> second = Promise.promise();
      Promise<Future<LogPosition>> first = Promise.promise();
      vertx.runOnContext(
          ignored -> {
            first.complete(log.append(event("1")));
            second.complete(log.append(event("2")));
          });

      Future<LogPosition> refused = MainThread.await(second.future(), WAIT, "second");
      assertThat(refused.failed()).as("refused without waiting").isTrue();
      assertThat(refused.cause())
          .isInstanceOf(Unavailable.class)
          .hasMessage("too many events are waiting for Kafka");
      assertThat(
              MainThread.await(MainThread.await(first.future(), WAIT, "first"), WAIT, "ack")
                  .offset())
          .isZero();
    } finally {
      log.close();
    }
  }

  @Test
  void overTlsTheCookieIsCrossSite(Vertx vertx, EmbeddedKafkaBroker broker) throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    EdgeFixture edge =
        EdgeFixture.start(
            vertx,
            broker.bootstrapServers(),
            "--http.tls.cert=" + certificate.certificatePath(),
            "--http.tls.key=" + certificate.privateKeyPath());

    HttpResponse<Buffer> response = get(client(vertx, edge.port(), true), "/event?c_a=1");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Set-Cookie")).contains("Secure").contains("SameSite=None");
  }

  @Test
  void tlsNeedsBothFiles(@TempDir Path dir) {
    assertThatThrownBy(
            () ->
                EdgeFixture.config(
                    "127.0.0.1:9092", "t", "--http.tls.cert=" + dir.resolve("cert.pem")))
        .hasMessageContaining("http.tls.cert and http.tls.key go together");
  }

  private static VisitEvent event(String visitorId) {
    return VisitEvent.newBuilder()
        .setEventId("e-" + visitorId)
        .setVisitorId(visitorId)
        .setTime(Instant.now())
        .setSource(EventSource.EDGE)
        .build();
  }

  private static WebClient client(Vertx vertx, int port, boolean tls) {
    return WebClient.create(
        vertx,
        new WebClientOptions()
            .setDefaultHost("127.0.0.1")
            .setDefaultPort(port)
            .setSsl(tls)
            .setTrustAll(tls)
            .setVerifyHost(false));
  }

  private static HttpResponse<Buffer> get(WebClient http, String uri) throws InterruptedException {
    try {
      return MainThread.await(http.get(uri).send(), WAIT, "GET " + uri);
    } catch (IllegalStateException | CompletionException e) {
      throw new IllegalStateException("GET " + uri + " failed", e);
    }
  }
}
