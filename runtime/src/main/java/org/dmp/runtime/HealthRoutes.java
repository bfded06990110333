package org.dmp.runtime;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code /health/live}: the process answers. {@code /health/ready}: it can do its work, which for
 * every service means Kafka is reachable, and for some more (the qualifier's streams are running),
 * and it is not shutting down ({@link Draining}); a load balancer or orchestrator stops sending
 * traffic on 503.
 */
public final class HealthRoutes {
  /** A service's own readiness beyond Kafka: empty when ready, else why not. */
  @FunctionalInterface
  public interface Readiness extends Supplier<Optional<String>> {
    Readiness ALWAYS = Optional::empty;

    /** What the status should warn of while the service stays ready. */
    default List<String> warnings() {
      return List.of();
    }

    /** {@code readiness}, with {@code warnings} listed in the status. */
    static Readiness warning(Readiness readiness, Supplier<List<String>> warnings) {
      return new Readiness() {
        @Override
        public Optional<String> get() {
          return readiness.get();
        }

        @Override
        public List<String> warnings() {
          return warnings.get();
        }
      };
    }
  }

  private HealthRoutes() {}

  public static void mount(Router router, KafkaHealth kafka) {
    mount(router, kafka, Readiness.ALWAYS);
  }

  public static void mount(Router router, KafkaHealth kafka, Readiness readiness) {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(readiness, "readiness");
    router.get("/health/live").handler(context -> answer(context, true, "alive"));
    router
        .get("/health/ready")
        .handler(
            context -> {
              if (Draining.underway(context.vertx())) {
                answer(context, false, "shutting down: finishing the calls in flight");
                return;
              }
              KafkaHealth.Status status = kafka.status();
              Optional<String> notReady = status.reachable() ? readiness.get() : Optional.empty();
              answer(
                  context,
                  status.reachable() && notReady.isEmpty(),
                  notReady.orElse(status.detail()),
                  readiness.warnings());
            });
  }

  /**
   * {@code /metrics}: the service's meters in Prometheus's text format, as {@code scrape} renders
   * them, for callers bearing the operator token.
   */
  public static void mountMetrics(Router router, OperatorToken operator, Supplier<String> scrape) {
    router
        .get("/metrics")
        .handler(operator.guard())
        .handler(
            context ->
                context
                    .response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(scrape.get()));
  }

  private static void answer(RoutingContext context, boolean up, String detail) {
    answer(context, up, detail, List.of());
  }

  private static void answer(
      RoutingContext context, boolean up, String detail, List<String> warnings) {
    JsonObject body = new JsonObject().put("status", up ? "UP" : "DOWN").put("detail", detail);
    if (!warnings.isEmpty()) {
      body.put("warnings", new JsonArray(warnings));
    }
    context
        .response()
        .setStatusCode(up ? 200 : 503)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(body.encode());
  }
}
