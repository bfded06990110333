package org.dmp.runtime;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.dmp.runtime.kafka.KafkaClients;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the Kafka cluster answers, checked in the background so that a readiness probe never
 * waits on the network: the probe reads the outcome of the last check.
 */
public final class KafkaHealth implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaHealth.class);

  private final Vertx vertx;
  private final String bootstrap;
  private final Duration interval;
  private final Admin admin;
  private long timerId = -1;
  private volatile Status status = new Status(false, "not checked yet");

  /** The outcome of the last check. */
  public record Status(boolean reachable, String detail) {}

  private KafkaHealth(Vertx vertx, KafkaClients kafka, Duration interval) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.bootstrap = kafka.bootstrap();
    this.interval = Objects.requireNonNull(interval, "interval");
    this.admin =
        kafka.admin(
            Map.of(
                AdminClientConfig.CLIENT_ID_CONFIG, "dmp-health",
                // Keep failing checks short and reconnect attempts sparse: this is a probe, not a
                // client.
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) interval.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) interval.toMillis(),
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, (int) interval.toMillis()));
  }

  /**
   * Starts checking now and then every {@code interval}; the first outcome is known when the future
   * completes.
   */
  public static Future<KafkaHealth> start(Vertx vertx, KafkaClients kafka, Duration interval) {
    // Creating the admin client resolves the bootstrap host names, which may block on DNS.
    return vertx
        .executeBlocking(() -> new KafkaHealth(vertx, kafka, interval))
        .compose(health -> health.check().map(health))
        .onSuccess(KafkaHealth::schedule);
  }

  public Status status() {
    return status;
  }

  private void schedule() {
    timerId = vertx.setTimer(interval.toMillis(), id -> check().onComplete(done -> schedule()));
  }

  private Future<Void> check() {
    var cluster =
        admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) interval.toMillis()));
    return Future.fromCompletionStage(
            cluster.clusterId().toCompletionStage(), vertx.getOrCreateContext())
        .map(clusterId -> new Status(true, "cluster " + clusterId + " at " + bootstrap))
        .recover(
            failure ->
                Future.succeededFuture(
                    new Status(
                        false, "Kafka at " + bootstrap + " unreachable: " + failure.getMessage())))
        .map(
            next -> {
              if (next.reachable() != status.reachable()) {
                if (next.reachable()) {
                  LOG.info("Kafka reachable: {}", next.detail());
                } else {
                  LOG.warn("{}", next.detail());
                }
              }
              status = next;
              return null;
            });
  }

  @Override
  public void close() {
    vertx.cancelTimer(timerId);
    admin.close(Duration.ZERO);
  }
}
