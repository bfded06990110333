package org.dmp.sync.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Sends a batch to the partner: one POST with its idempotency key and signature. Runs on the
 * destination's Vert.x context; answers what happened and never fails.
 */
final class HttpSender {
  /** A batch ready to go: its body and signature are made once, however often it is sent. */
  record Prepared(RealtimeBatch batch, Buffer body, Optional<String> signature) {}

  /**
   * What one attempt brought: the partner's status and Retry-After, or the error that kept it from
   * answering.
   *
   * @param took from sending to the answer or the error
   */
  record Sent(
      Optional<Integer> status,
      Optional<String> retryAfter,
      Optional<String> error,
      Duration took) {
    boolean delivered() {
      return status.filter(code -> code >= 200 && code < 300).isPresent();
    }

    /** The failure as the delivery record and logs name it. */
    String failure() {
      return status.map(code -> "HTTP " + code).orElseGet(() -> error.orElse("no answer"));
    }
  }

  private final WebClient client;
  private final String url;
  private final Optional<String> signatureHeader;
  private final Duration timeout;
  private final Clock clock;

  HttpSender(
      WebClient client,
      String url,
      Optional<String> signatureHeader,
      Duration timeout,
      Clock clock) {
    this.client = client;
    this.url = url;
    this.signatureHeader = signatureHeader;
    this.timeout = timeout;
    this.clock = clock;
  }

  Future<Sent> send(Prepared prepared) {
    return send(prepared.batch().idempotencyKey(), prepared.body(), prepared.signature());
  }

  /** A body under a key it was given before: a dead letter sent again. */
  Future<Sent> send(String idempotencyKey, Buffer body, Optional<String> signature) {
    Instant started = clock.instant();
    HttpRequest<Buffer> request =
        client
            .postAbs(url)
            .timeout(timeout.toMillis())
            .putHeader("Content-Type", "application/json")
            .putHeader("Idempotency-Key", idempotencyKey);
    signatureHeader.ifPresent(header -> request.putHeader(header, signature.orElseThrow()));
    return request
        .sendBuffer(body)
        .transform(
            result -> {
              Duration took = Duration.between(started, clock.instant());
              return Future.succeededFuture(
                  result.succeeded()
                      ? new Sent(
                          Optional.of(result.result().statusCode()),
                          Optional.ofNullable(result.result().getHeader("Retry-After")),
                          Optional.empty(),
                          took)
                      : new Sent(
                          Optional.empty(),
                          Optional.empty(),
                          Optional.of(String.valueOf(result.cause())),
                          took));
            });
  }
}
