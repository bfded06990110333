package org.dmp.runtime;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.dmp.runtime.kafka.KafkaClients;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of a service that has no other HTTP traffic yet: health endpoints over a Kafka
 * readiness check. Undeploying it stops the checks and closes the server once the calls in flight
 * are answered.
 */
public final class StatusServerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(StatusServerVerticle.class);
  private static final Duration CHECK_INTERVAL = Duration.ofSeconds(2);

  private final String service;
  private final HttpEndpoint endpoint;
  private final KafkaClients kafka;
  private final HealthRoutes.Readiness readiness;
  private final Consumer<Router> routes;
  private KafkaHealth health;
  private HttpServer server;

  public StatusServerVerticle(String service, HttpEndpoint endpoint, KafkaClients kafka) {
    this(service, endpoint, kafka, HealthRoutes.Readiness.ALWAYS, router -> {});
  }

  /**
   * @param readiness the service's own readiness, asked only while Kafka is reachable
   * @param routes the service's own endpoints beside the health ones
   */
  public StatusServerVerticle(
      String service,
      HttpEndpoint endpoint,
      KafkaClients kafka,
      HealthRoutes.Readiness readiness,
      Consumer<Router> routes) {
    this.service = Objects.requireNonNull(service, "service");
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.kafka = Objects.requireNonNull(kafka, "kafka");
    this.readiness = Objects.requireNonNull(readiness, "readiness");
    this.routes = Objects.requireNonNull(routes, "routes");
  }

  @Override
  public Future<?> start() {
    return KafkaHealth.start(vertx, kafka, CHECK_INTERVAL)
        .compose(
            health -> {
              this.health = health;
              Router router = Router.router(vertx);
              HealthRoutes.mount(router, health, readiness);
              routes.accept(router);
              return vertx
                  .createHttpServer()
                  .requestHandler(router)
                  .listen(endpoint.port(), endpoint.host());
            })
        .onSuccess(
            listening -> {
              server = listening;
              LOG.info(
                  "{} status at http://{}:{}/health/ready, Kafka {}",
                  service,
                  endpoint.host(),
                  listening.actualPort(),
                  kafka.bootstrap());
            });
  }

  /** The port the server listens on, also when the configuration asked for any free port. */
  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    if (health != null) {
      health.close();
    }
    return server == null
        ? Future.succeededFuture()
        : Draining.shutdown(server, endpoint.drainTimeout());
  }
}
