package org.dmp.edge.answer;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmp.edge.metrics.EdgeMetrics;
import org.dmp.runtime.OperatorToken;
import org.dmp.runtime.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the qualifier's query API for a visitor's profile once it has processed the hit at
 * (partition, offset), and never waits past the deadline.
 *
 * <p>Why it cannot wedge: at most {@code maxInFlight} questions are out at once, and the pool has a
 * connection for each, so a question never queues for a connection. (Vert.x's pool can complete a
 * queued request twice when its wait times out, and lose the connection: after one burst every
 * later answer was stale.) A question beyond the bound is answered stale at once. The deadline is a
 * timer of our own that answers stale without cancelling the exchange; the exchange itself ends by
 * the qualifier's answer (it waits at most what it is told) or by the idle timeout, which frees its
 * place.
 */
public final class QualifierQuestions {
  private static final Logger LOG = LoggerFactory.getLogger(QualifierQuestions.class);

  /**
   * How long past the deadline an exchange may hold its place before its connection is given up.
   */
  private static final Duration IDLE_ALLOWANCE = Duration.ofSeconds(1);

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

  /**
   * Room for the round trip beyond the qualifier's own wait, so that its stale answer (with the
   * last known segments) arrives.
   */
  private static final Duration NETWORK_ALLOWANCE = Duration.ofMillis(20);

  /**
   * What the qualifier said: its JSON when fresh or stale from its side; nothing when the edge gave
   * up.
   */
  public record Answer(Outcome outcome, JsonObject profile) {}

  public enum Outcome {
    FRESH,
    STALE,
    FAILED
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final RequestOptions target;
  private final String path;
  private final Duration deadline;
  private final int maxInFlight;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final EdgeMetrics metrics;
  private final RateLimitedLog warnings = new RateLimitedLog(LOG, Duration.ofSeconds(10));

  /**
   * @param operator the token the qualifier's query API requires
   */
  public QualifierQuestions(
      Vertx vertx,
      String qualifierUrl,
      OperatorToken operator,
      Duration deadline,
      int maxInFlight,
      EdgeMetrics metrics) {
    this.vertx = vertx;
    this.deadline = deadline;
    this.maxInFlight = maxInFlight;
    this.metrics = metrics;
    this.target =
        new RequestOptions()
            .setAbsoluteURI(qualifierUrl)
            .setMethod(HttpMethod.GET)
            .putHeader("Authorization", operator.authorization())
            .setIdleTimeout(deadline.plus(IDLE_ALLOWANCE).toMillis());
    this.path = target.getURI().replaceAll("/+$", "") + "/segments/";
    this.client =
        vertx
            .httpClientBuilder()
            .with(
                new HttpClientOptions()
                    .setKeepAlive(true)
                    .setConnectTimeout((int) CONNECT_TIMEOUT.toMillis())
                    .setTcpNoDelay(true))
            .with(new PoolOptions().setHttp1MaxSize(maxInFlight).setMaxWaitQueueSize(maxInFlight))
            .build();
  }

  /**
   * Never fails: a question that cannot be answered in time is {@code STALE} or {@code FAILED},
   * counted and logged.
   */
  public Future<Answer> ask(String visitorId, int partition, long offset) {
    long started = System.nanoTime();
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      warnings.warn(
          "busy",
          "Same-hit answers are stale: {} questions to the qualifier are already out (answers.max-in-flight)",
          maxInFlight);
      return Future.succeededFuture(counted(new Answer(Outcome.STALE, null), started));
    }
    Promise<Answer> answer = Promise.promise();
    long timer =
        vertx.setTimer(
            deadline.plus(NETWORK_ALLOWANCE).toMillis(),
            id -> {
              if (answer.tryComplete(new Answer(Outcome.STALE, null))) {
                warnings.warn(
                    "deadline",
                    "Same-hit answers are stale: the qualifier did not answer within {} ms",
                    deadline.toMillis());
              }
            });
    String uri =
        path
            + visitorId
            + "?partition="
            + partition
            + "&offset="
            + offset
            + "&wait="
            + deadline.toMillis();
    client
        .request(new RequestOptions(target).setURI(uri))
        .compose(
            request ->
                request
                    .send()
                    .compose(
                        response ->
                            response
                                .body()
                                .map(
                                    body -> {
                                      if (response.statusCode() != 200) {
                                        throw new IllegalStateException(
                                            "the qualifier answered "
                                                + response.statusCode()
                                                + ": "
                                                + body);
                                      }
                                      return body.toJsonObject();
                                    })))
        .onComplete(
            result -> {
              inFlight.decrementAndGet();
              vertx.cancelTimer(timer);
              if (result.succeeded()) {
                JsonObject profile = result.result();
                answer.tryComplete(
                    new Answer(
                        profile.getBoolean("stale", false) ? Outcome.STALE : Outcome.FRESH,
                        profile));
              } else if (answer.tryComplete(new Answer(Outcome.FAILED, null))) {
                warnings.warn("failed", "Same-hit answer failed: {}", result.cause().toString());
              }
            });
    return answer.future().map(done -> counted(done, started));
  }

  /**
   * Asks once about no one, so that the first visitor's question finds a connection open and the
   * code on both sides loaded: on a fresh edge the first answer was stale for that alone. Not
   * counted; a qualifier that is not up yet is no problem.
   */
  public void warmUp() {
    client
        .request(new RequestOptions(target).setURI(path + "0"))
        .compose(request -> request.send().compose(response -> response.body()))
        .onFailure(
            failure -> LOG.debug("Warming up same-hit answers failed: {}", failure.toString()));
  }

  private Answer counted(Answer answer, long started) {
    metrics.recordAnswer(
        answer.outcome().name().toLowerCase(Locale.ROOT),
        Duration.ofNanos(System.nanoTime() - started));
    return answer;
  }

  public Future<Void> close() {
    return client.close();
  }
}
