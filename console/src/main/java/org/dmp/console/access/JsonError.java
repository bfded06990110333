package org.dmp.console.access;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The console's error answer: a status and a JSON body naming the reason. */
public final class JsonError {
  private JsonError() {}

  public static void send(RoutingContext context, int status, String reason) {
    send(context, status, new JsonObject().put("error", reason));
  }

  public static void send(RoutingContext context, int status, JsonObject body) {
    context
        .response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(body.encode());
  }
}
