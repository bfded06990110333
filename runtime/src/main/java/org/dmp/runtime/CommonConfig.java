package org.dmp.runtime;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.dmp.config.ConfigReader;
import org.dmp.config.SettingsSpec;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.topics.Topics;

/**
 * What every service is configured with: the Kafka cluster and what its clients share ({@code
 * kafka.bootstrap}, {@code kafka.client.config-file}), its HTTP endpoint ({@code http.host}, {@code
 * http.port}), the topic catalogue and the token of its operator endpoints ({@code
 * operator.token}).
 */
public record CommonConfig(
    KafkaClients kafka, HttpEndpoint http, Topics topics, OperatorToken operator) {
  public CommonConfig {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(operator, "operator");
  }

  /**
   * A service's settings: the topic catalogue's defaults, then its own {@code <name>.properties},
   * with {@code --bootstrap} and {@code --port} as short flags.
   */
  public static SettingsSpec spec(String service) {
    return new SettingsSpec(
        service,
        List.of(Topics.DEFAULTS, service + ".properties"),
        Map.of("bootstrap", "kafka.bootstrap", "port", "http.port"));
  }

  public static CommonConfig read(ConfigReader reader) {
    String bootstrap = reader.hostPorts("kafka.bootstrap");
    Optional<Path> clientConfig = reader.optionalPath("kafka.client.config-file");
    KafkaClients kafka;
    try {
      kafka = KafkaClients.of(bootstrap, clientConfig);
    } catch (IllegalArgumentException e) {
      reader.problem(e.getMessage());
      kafka = KafkaClients.of(bootstrap);
    }
    return new CommonConfig(
        kafka, HttpEndpoint.read(reader, "http"), Topics.read(reader), OperatorToken.read(reader));
  }

  /** The Kafka cluster's bootstrap servers. */
  public String bootstrap() {
    return kafka.bootstrap();
  }

  /** Deploys the health endpoints on this configuration's HTTP endpoint. */
  public Future<RunningService> startStatusServer(Vertx vertx, String service) {
    return startStatusServer(vertx, service, HealthRoutes.Readiness.ALWAYS);
  }

  /** Deploys the health endpoints, ready only while Kafka answers and {@code readiness} says so. */
  public Future<RunningService> startStatusServer(
      Vertx vertx, String service, HealthRoutes.Readiness readiness) {
    return startStatusServer(vertx, service, readiness, router -> {});
  }

  /** Deploys the health endpoints and the service's own {@code routes}. */
  public Future<RunningService> startStatusServer(
      Vertx vertx,
      String service,
      HealthRoutes.Readiness readiness,
      java.util.function.Consumer<io.vertx.ext.web.Router> routes) {
    StatusServerVerticle server = new StatusServerVerticle(service, http, kafka, readiness, routes);
    return vertx
        .deployVerticle(server)
        .map(id -> new RunningService(service, server.actualPort(), http.drainDelay()));
  }
}
