package org.dmp.runtime;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Objects;

/**
 * {@code /health/live}: the process answers. {@code /health/ready}: it can do its work, which for
 * every service means Kafka is reachable; a load balancer or orchestrator stops sending traffic on 503.
 */
public final class HealthRoutes {
  private HealthRoutes() {}

  public static void mount(Router router, KafkaHealth kafka) {
    Objects.requireNonNull(kafka, "kafka");
    router.get("/health/live").handler(context -> answer(context, true, "alive"));
    router.get("/health/ready").handler(context -> {
      KafkaHealth.Status status = kafka.status();
      answer(context, status.reachable(), status.detail());
    });
  }

  private static void answer(RoutingContext context, boolean up, String detail) {
    context.response()
        .setStatusCode(up ? 200 : 503)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(new JsonObject().put("status", up ? "UP" : "DOWN").put("detail", detail).encode());
  }
}
