package org.dmp.qualifier;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.dmp.qualifier.query.SegmentQuery;
import org.dmp.qualifier.time.TimeLag;
import org.dmp.runtime.HealthRoutes;
import org.dmp.runtime.RunningService;
import org.dmp.runtime.ServiceMain;

/** Runs the qualifier: {@code java -jar qualifier/target/qualifier.jar [--key=value ...]}. */
public final class QualifierMain {
  private QualifierMain() {}

  public static void main(String[] args) {
    ServiceMain.run(QualifierConfig.SETTINGS, args, QualifierConfig::read, QualifierMain::start);
  }

  /**
   * Starts the HTTP side first, health (ready once the streams run) and the segment query API, so
   * that its port is known; then the topology, which publishes that port to the other instances.
   */
  public static Future<RunningService> start(Vertx vertx, QualifierConfig config) {
    AtomicReference<QualifierVerticle> qualifier = new AtomicReference<>();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TimeLag lag = new TimeLag(registry, Clock.systemUTC(), config.grace(), config.timeLagWarning());
    HealthRoutes.Readiness readiness =
        HealthRoutes.Readiness.warning(
            () ->
                qualifier.get() == null
                    ? Optional.of("the streams have not started")
                    : qualifier.get().notRunning(),
            lag::warnings);
    return config
        .common()
        .startStatusServer(
            vertx,
            QualifierConfig.SETTINGS.name(),
            readiness,
            router -> {
              new SegmentQuery(vertx, config.common().operator(), qualifier::get).mount(router);
              HealthRoutes.mountMetrics(router, config.common().operator(), registry::scrape);
            })
        .compose(
            http -> {
              QualifierVerticle started =
                  new QualifierVerticle(config, http.httpPort(), registry, lag.progress());
              qualifier.set(started);
              return vertx.deployVerticle(started).map(id -> http);
            });
  }
}
