package org.dmp.console.visitors;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.dmp.avro.DeliveryAttempt;
import org.dmp.console.access.JsonError;
import org.dmp.runtime.OperatorToken;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.runtime.kafka.VisitorDeliveries;
import org.dmp.schemas.topics.Topic;

/**
 * Looking a visitor up: {@code GET /api/visitors/<id>} joins what the qualifier holds of the
 * visitor ({@code /segments/<id>?detail=1}: segments, each trait's realization times, partner ids)
 * with the taxonomy (names, and the rule that realized each trait) and the visitor's delivery
 * record from the deliveries topic; {@code GET /api/partners/<data source>/<id>} finds the visitors
 * a partner id was synced with.
 */
public final class VisitorsApi {
  private static final Duration ASK_FOR = Duration.ofSeconds(5);
  private static final Duration READ_DELIVERIES_FOR = Duration.ofSeconds(20);

  private final Vertx vertx;
  private final WebClient client;
  private final Optional<String> qualifier;
  private final OperatorToken operator;
  private final KafkaClients kafka;
  private final Topic<String, DeliveryAttempt> deliveries;
  private final Supplier<JsonObject> taxonomy;

  /**
   * @param qualifier the qualifier's base URL; without one, lookups answer 503
   * @param taxonomy the taxonomy file in force
   */
  public VisitorsApi(
      Vertx vertx,
      WebClient client,
      Optional<String> qualifier,
      OperatorToken operator,
      KafkaClients kafka,
      Topic<String, DeliveryAttempt> deliveries,
      Supplier<JsonObject> taxonomy) {
    this.vertx = vertx;
    this.client = client;
    this.qualifier = qualifier;
    this.operator = operator;
    this.kafka = kafka;
    this.deliveries = deliveries;
    this.taxonomy = taxonomy;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("getVisitor").addHandler(this::visitor);
    builder.getRoute("findPartnerId").addHandler(this::partnerId);
  }

  private void visitor(RoutingContext context) {
    String visitorId = context.pathParam("id");
    Future<JsonObject> profile = ask("/segments/" + visitorId + "?detail=1");
    Future<VisitorDeliveries.Record> record =
        vertx.executeBlocking(
            () ->
                VisitorDeliveries.read(kafka, deliveries, visitorId, READ_DELIVERIES_FOR)
                    .orElse(new VisitorDeliveries.Record(java.util.List.of(), 0)),
            false);
    Future.all(profile, record)
        .onSuccess(
            both -> {
              JsonObject held = profile.result();
              if (held.getLong("version", 0L) == 0 && !held.getBoolean("optedOut", false)) {
                JsonError.send(
                    context, 404, "the qualifier holds no profile for visitor " + visitorId);
                return;
              }
              context.json(visitorView(held, record.result(), taxonomy.get()));
            })
        .onFailure(failure -> JsonError.send(context, 503, failure.getMessage()));
  }

  private void partnerId(RoutingContext context) {
    ask("/partners/"
            + context.pathParam("dataSource")
            + "/"
            + URLEncoder.encode(context.pathParam("id"), StandardCharsets.UTF_8))
        .onSuccess(context::json)
        .onFailure(failure -> JsonError.send(context, 503, failure.getMessage()));
  }

  private Future<JsonObject> ask(String path) {
    if (qualifier.isEmpty()) {
      return Future.failedFuture("no qualifier is configured (console.qualifier-url)");
    }
    return client
        .getAbs(qualifier.get() + path)
        .putHeader("Authorization", operator.authorization())
        .timeout(ASK_FOR.toMillis())
        .send()
        .map(VisitorsApi::json)
        .recover(
            failure ->
                Future.failedFuture("the qualifier did not answer: " + failure.getMessage()));
  }

  private static JsonObject json(HttpResponse<?> response) {
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "the qualifier answered " + response.statusCode() + ": " + response.bodyAsString());
    }
    return response.bodyAsJsonObject();
  }

  /** The profile, with names and rules from the taxonomy, and the delivery record. */
  static JsonObject visitorView(
      JsonObject profile, VisitorDeliveries.Record record, JsonObject taxonomy) {
    Map<Long, JsonObject> traits = byId(taxonomy.getJsonArray("traits"));
    Map<Long, JsonObject> segments = byId(taxonomy.getJsonArray("segments"));
    Map<Long, JsonObject> destinations = byId(taxonomy.getJsonArray("destinations"));
    JsonArray inForce = profile.getJsonArray("traits", new JsonArray());
    JsonArray realized = new JsonArray();
    profile
        .getJsonObject("realizations", new JsonObject())
        .forEach(
            entry -> {
              long id = Long.parseLong(entry.getKey());
              JsonObject trait = traits.getOrDefault(id, new JsonObject());
              JsonArray times = new JsonArray();
              ((JsonArray) entry.getValue())
                  .forEach(
                      time ->
                          times.add(Instant.ofEpochMilli(((Number) time).longValue()).toString()));
              realized.add(
                  new JsonObject()
                      .put("id", id)
                      .put("name", trait.getString("name", "(not in the taxonomy)"))
                      .put("rule", trait.getString("rule", trait.getString("type", "")))
                      .put("inForce", inForce.contains(id) || inForce.contains((int) id))
                      .put("realizedAt", times));
            });
    JsonArray memberOf = new JsonArray();
    profile
        .getJsonArray("segments", new JsonArray())
        .forEach(
            id -> {
              JsonObject segment =
                  segments.getOrDefault(((Number) id).longValue(), new JsonObject());
              memberOf.add(
                  new JsonObject()
                      .put("id", id)
                      .put("name", segment.getString("name", "(not in the taxonomy)"))
                      .put("rule", segment.getString("rule", "")));
            });
    JsonArray attempts = new JsonArray();
    for (DeliveryAttempt attempt : record.attempts()) {
      attempts.add(
          new JsonObject()
              .put("time", attempt.getTime().toString())
              .put("destination", attempt.getDestinationId())
              .put(
                  "destinationName",
                  destinations
                      .getOrDefault(attempt.getDestinationId(), new JsonObject())
                      .getString("name", ""))
              .put("channel", attempt.getChannel().name())
              .put("attempt", attempt.getAttempt())
              .put("outcome", attempt.getOutcome().name())
              .put("httpStatus", attempt.getHttpStatus())
              .put("latencyMs", attempt.getLatencyMs())
              .put("idempotencyKey", attempt.getIdempotencyKey())
              .put("detail", attempt.getDetail()));
    }
    return new JsonObject()
        .put("visitorId", profile.getString("visitorId"))
        .put("optedOut", profile.getBoolean("optedOut", false))
        .put("segments", memberOf)
        .put("traits", realized)
        .put("partnerIds", profile.getJsonArray("partnerIds", new JsonArray()))
        .put("regions", profile.getJsonArray("regions", new JsonArray()))
        .put("deliveries", attempts)
        .put("undecodableDeliveries", record.undecodable());
  }

  private static Map<Long, JsonObject> byId(JsonArray items) {
    Map<Long, JsonObject> byId = new HashMap<>();
    if (items != null) {
      for (int index = 0; index < items.size(); index++) {
        JsonObject item = items.getJsonObject(index);
        byId.put(item.getLong("id"), item);
      }
    }
    return byId;
  }
}
