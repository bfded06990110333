package org.dmp.console;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.dmp.console.access.JsonError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's API: the routes of the OpenAPI document {@code openapi.json} (served at {@code
 * /api/openapi.json}), built from it by Vert.x's OpenAPI router, which checks each request against
 * the document before a feature's handler gets it. A request that does not follow the document is
 * answered 400 with the checker's reason.
 */
final class ConsoleApi {
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleApi.class);
  private static final String CONTRACT = "openapi.json";

  private ConsoleApi() {}

  /** The document the API is built from, as served. */
  static JsonObject contract() {
    try (InputStream in = ConsoleApi.class.getClassLoader().getResourceAsStream(CONTRACT)) {
      if (in == null) {
        throw new IllegalStateException(CONTRACT + " is missing from the classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The API's router, to mount at {@code /api} behind a guard that lets only users through.
   *
   * @param features each hands its operations to their handlers
   */
  @SafeVarargs
  static Future<Router> router(
      Vertx vertx, long maxBodyBytes, Consumer<RouterBuilder>... features) {
    JsonObject document = contract();
    // Its server is "/api", where the router is mounted. Vert.x's reader takes only absolute
    // server URLs, and uses their path to find path parameters in requests: it gets one with the
    // same path. Who may call is for the guard in front of the router to say: the document's
    // security only describes it.
    JsonObject routed = document.copy();
    routed.put(
        "servers", new JsonArray().add(new JsonObject().put("url", "http://console.invalid/api")));
    routed.remove("security");
    return OpenAPIContract.from(vertx, routed)
        .map(
            contract -> {
              RouterBuilder builder =
                  RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
              builder.rootHandler(BodyHandler.create().setBodyLimit(maxBodyBytes));
              for (Consumer<RouterBuilder> feature : features) {
                feature.accept(builder);
              }
              builder.getRoute("getOpenApi").addHandler(context -> context.json(document));
              for (OpenAPIRoute route : builder.getRoutes()) {
                route.addFailureHandler(ConsoleApi::invalidRequest);
              }
              return builder.createRouter();
            });
  }

  private static void invalidRequest(RoutingContext context) {
    if (context.response().ended()) {
      return;
    }
    int status = context.statusCode() > 0 ? context.statusCode() : 500;
    Throwable failure = context.failure();
    String reason = failure == null ? null : failure.getMessage();
    if (status >= 500) {
      LOG.error("The console's API failed: {}", reason, failure);
    }
    JsonError.send(
        context,
        status,
        reason != null ? reason : failure != null ? failure.toString() : "the request was refused");
  }
}
