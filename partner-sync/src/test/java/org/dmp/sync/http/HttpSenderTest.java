package org.dmp.sync.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.dmp.runtime.MainThread;
import org.dmp.sync.destination.PartnerChange;
import org.dmp.sync.destination.UserChange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sender against a real HTTP server: what it sends, and what it makes of each kind of answer.
 */
@ExtendWith(VertxExtension.class)
class HttpSenderTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final RealtimeBatch BATCH =
      new RealtimeBatch(
          9001,
          new TopicPartition("s", 3),
          10,
          12,
          List.of(
              new PartnerChange(
                  9001,
                  20001,
                  "v",
                  1,
                  new UserChange("p", List.of(), List.of("A")),
                  Instant.EPOCH,
                  List.of())));
  private static final HttpSender.Prepared PREPARED =
      new HttpSender.Prepared(BATCH, Buffer.buffer("{\"Users\":[]}"), Optional.of("sig"));

  private final AtomicReference<MultiMap> headers = new AtomicReference<>();
  private final AtomicReference<String> body = new AtomicReference<>();
  private volatile int status = 200;
  private volatile String retryAfter;
  private int port;

  /** A clock that moves 25 ms each time it is read: the sender's latency is read from it. */
  private static Clock stepping() {
    return new Clock() {
      private Instant now = Instant.EPOCH;

      @Override
      public synchronized Instant instant() {
        Instant read = now;
        now = now.plusMillis(25);
        return read;
      }

      @Override
      public ZoneId getZone() {
        return ZoneId.of("UTC");
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }
    };
  }

  @BeforeEach
  void partner(Vertx vertx) throws Exception {
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    request
                        .body()
                        .onSuccess(
                            received -> {
                              headers.set(request.headers());
                              body.set(received.toString());
                              if (retryAfter != null) {
                                request.response().putHeader("Retry-After", retryAfter);
                              }
                              request.response().setStatusCode(status).end();
                            }));
    port = MainThread.await(server.listen(0, "127.0.0.1"), WAIT, "listen").actualPort();
  }

  private HttpSender sender(Vertx vertx, int toPort) {
    return new HttpSender(
        WebClient.create(vertx),
        "http://127.0.0.1:" + toPort + "/aam",
        Optional.of("X-Signature"),
        Duration.ofSeconds(5),
        stepping());
  }

  @Test
  void postsTheBodyWithItsIdempotencyKeyAndSignature(Vertx vertx) throws Exception {
    HttpSender.Sent sent = MainThread.await(sender(vertx, port).send(PREPARED), WAIT, "send");

    assertThat(sent.delivered()).isTrue();
    assertThat(sent.took()).isEqualTo(Duration.ofMillis(25));
    assertThat(body.get()).isEqualTo("{\"Users\":[]}");
    assertThat(headers.get().get("Idempotency-Key")).isEqualTo(BATCH.idempotencyKey());
    assertThat(headers.get().get("X-Signature")).isEqualTo("sig");
    assertThat(headers.get().get("Content-Type")).isEqualTo("application/json");
  }

  @Test
  void aRefusalCarriesItsStatusAndRetryAfter(Vertx vertx) throws Exception {
    status = 503;
    retryAfter = "7";

    HttpSender.Sent sent = MainThread.await(sender(vertx, port).send(PREPARED), WAIT, "send");

    assertThat(sent.delivered()).isFalse();
    assertThat(sent.status()).contains(503);
    assertThat(sent.retryAfter()).contains("7");
    assertThat(sent.failure()).isEqualTo("HTTP 503");
  }

  @Test
  void noAnswerIsAnErrorNotAFailedFuture(Vertx vertx) throws Exception {
    int closedPort;
    HttpServer other =
        MainThread.await(
            vertx.createHttpServer().requestHandler(request -> {}).listen(0, "127.0.0.1"),
            WAIT,
            "listen");
    closedPort = other.actualPort();
    MainThread.await(other.close(), WAIT, "close");

    HttpSender.Sent sent = MainThread.await(sender(vertx, closedPort).send(PREPARED), WAIT, "send");

    assertThat(sent.status()).isEmpty();
    assertThat(sent.error()).isPresent();
    assertThat(sent.failure()).contains("Connection refused");
  }
}
