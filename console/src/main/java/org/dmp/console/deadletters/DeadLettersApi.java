package org.dmp.console.deadletters;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.dmp.avro.DeadLetter;
import org.dmp.console.access.JsonError;
import org.dmp.runtime.OperatorToken;
import org.dmp.runtime.kafka.DeadLetters;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.topics.Topic;

/**
 * Dead letters: {@code GET /api/deadletters[?destination=N]} lists them from their topic, newest
 * first; {@code POST /api/deadletters/resend} {@code {"letters": ["0:12", ...]}} has partner sync,
 * which holds the destinations' secrets, send them again under their original idempotency keys (the
 * first instance of {@code console.partner-sync-urls} that answers).
 */
public final class DeadLettersApi {
  private static final Duration READ_FOR = Duration.ofSeconds(30);
  private static final Duration RESEND_FOR = Duration.ofMinutes(2);
  private static final int LISTED = 500;

  private final Vertx vertx;
  private final WebClient client;
  private final KafkaClients kafka;
  private final Topic<String, DeadLetter> topic;
  private final List<String> partnerSyncs;
  private final OperatorToken operator;

  public DeadLettersApi(
      Vertx vertx,
      WebClient client,
      KafkaClients kafka,
      Topic<String, DeadLetter> topic,
      List<String> partnerSyncs,
      OperatorToken operator) {
    this.vertx = vertx;
    this.client = client;
    this.kafka = kafka;
    this.topic = topic;
    this.partnerSyncs = partnerSyncs;
    this.operator = operator;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("listDeadLetters").addHandler(this::list);
    builder.getRoute("resendDeadLetters").addHandler(this::resend);
  }

  private void list(RoutingContext context) {
    Optional<Long> destination;
    try {
      destination =
          Optional.ofNullable(context.queryParams().get("destination")).map(Long::parseLong);
    } catch (NumberFormatException e) {
      JsonError.send(context, 400, "destination must be a destination id");
      return;
    }
    vertx
        .executeBlocking(
            () ->
                DeadLetters.read(
                    kafka,
                    topic,
                    letter ->
                        destination.isEmpty()
                            || destination.get() == letter.letter().getDestinationId(),
                    READ_FOR),
            false)
        .onSuccess(
            read -> {
              JsonArray letters = new JsonArray();
              read.map(DeadLetters.Read::letters).orElse(List.of()).stream()
                  .limit(LISTED)
                  .forEach(letter -> letters.add(letter.toJson()));
              context.json(
                  new JsonObject()
                      .put("letters", letters)
                      .put("total", read.map(found -> found.letters().size()).orElse(0))
                      .put("undecodable", read.map(DeadLetters.Read::undecodable).orElse(0)));
            })
        .onFailure(failure -> JsonError.send(context, 503, "the dead letters: " + failure));
  }

  private void resend(RoutingContext context) {
    JsonObject body = context.body().asJsonObject();
    if (partnerSyncs.isEmpty()) {
      JsonError.send(
          context, 503, "no partner sync instance is configured (console.partner-sync-urls)");
      return;
    }
    ask(0, body.toBuffer())
        .onSuccess(
            answer ->
                context
                    .response()
                    .setStatusCode(answer.statusCode)
                    .putHeader("Content-Type", "application/json")
                    .end(answer.body))
        .onFailure(failure -> JsonError.send(context, 503, failure.getMessage()));
  }

  private record Answer(int statusCode, Buffer body) {}

  /** Asks the instances in turn until one answers. */
  private Future<Answer> ask(int instance, Buffer body) {
    String url = partnerSyncs.get(instance) + "/deadletters/resend";
    return client
        .postAbs(url)
        .putHeader("Authorization", operator.authorization())
        .putHeader("Content-Type", "application/json")
        .timeout(RESEND_FOR.toMillis())
        .sendBuffer(body)
        .map(response -> new Answer(response.statusCode(), response.body()))
        .recover(
            failure ->
                instance + 1 < partnerSyncs.size()
                    ? ask(instance + 1, body)
                    : Future.failedFuture(
                        "no partner sync instance answered; the last, "
                            + url
                            + ": "
                            + failure.getMessage()));
  }
}
