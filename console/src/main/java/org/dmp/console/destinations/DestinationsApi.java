package org.dmp.console.destinations;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.time.Duration;
import java.util.List;
import org.dmp.runtime.OperatorToken;

/**
 * {@code GET /api/status/destinations}: how each destination is doing, as the partner sync
 * instances that run them say ({@code /destinations}, asked with the operator token), each entry
 * naming the instance it came from. An instance that does not answer is one entry with the reason.
 */
public final class DestinationsApi {
  private static final Duration ASK_FOR = Duration.ofSeconds(5);

  private final WebClient client;
  private final List<String> instances;
  private final OperatorToken operator;

  /**
   * @param instances the base URLs of partner sync's instances
   */
  public DestinationsApi(WebClient client, List<String> instances, OperatorToken operator) {
    this.client = client;
    this.instances = instances;
    this.operator = operator;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("getDestinationStatus").addHandler(this::statuses);
  }

  private void statuses(RoutingContext context) {
    List<Future<JsonArray>> asked = instances.stream().map(this::ask).toList();
    Future.join(asked)
        .onComplete(
            all -> {
              JsonArray statuses = new JsonArray();
              asked.forEach(answer -> statuses.addAll(answer.result()));
              context
                  .response()
                  .putHeader("Content-Type", "application/json")
                  .putHeader("Cache-Control", "no-store")
                  .end(statuses.encode());
            });
  }

  /** One instance's destinations, or one entry saying why there are none; never fails. */
  private Future<JsonArray> ask(String instance) {
    return client
        .getAbs(instance + "/destinations")
        .putHeader("Authorization", operator.authorization())
        .timeout(ASK_FOR.toMillis())
        .send()
        .map(
            response -> {
              if (response.statusCode() != 200) {
                throw new IllegalStateException(
                    "answered " + response.statusCode() + ": " + response.bodyAsString());
              }
              JsonArray statuses = response.bodyAsJsonArray();
              JsonArray named = new JsonArray();
              for (int index = 0; index < statuses.size(); index++) {
                named.add(statuses.getJsonObject(index).copy().put("instance", instance));
              }
              return named;
            })
        .otherwise(
            failure ->
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("instance", instance)
                            .put("error", "partner sync did not answer: " + failure.getMessage())));
  }
}
