package org.dmp.edge;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.dmp.edge.answer.HitAnswers;
import org.dmp.edge.answer.QualifierQuestions;
import org.dmp.edge.answer.TaxonomyHitAnswers;
import org.dmp.edge.metrics.EdgeMetrics;
import org.dmp.edge.optout.PendingOptOuts;
import org.dmp.edge.provider.RealtimeProviders;
import org.dmp.edge.visit.KafkaVisitLog;
import org.dmp.edge.visit.VisitLog;
import org.dmp.runtime.KafkaHealth;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.TaxonomyView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge: starts what the event loops share (Kafka health check, producer, metrics, opt-outs
 * waiting for Kafka), then one {@link EdgeVerticle} per event loop on one port. Undeploying it
 * closes the HTTP servers first, then waits for every event in flight to be acknowledged before
 * closing the producer.
 */
public final class EdgeServer extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeServer.class);
  private static final Duration HEALTH_INTERVAL = Duration.ofSeconds(2);

  private final EdgeConfig config;
  private final EdgeMetrics metrics = new EdgeMetrics();
  private TaxonomyView taxonomy;
  private KafkaHealth health;
  private KafkaVisitLog log;
  private Optional<QualifierQuestions> questions = Optional.empty();
  private int port;

  /** What every event loop's verticle uses. */
  record Shared(
      EdgeConfig config,
      VisitLog log,
      KafkaHealth health,
      EdgeMetrics metrics,
      HitAnswers answers,
      Supplier<CompiledTaxonomy> taxonomy,
      Map<Long, CircuitBreaker> breakers,
      PendingOptOuts optOuts) {}

  public EdgeServer(EdgeConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    taxonomy =
        TaxonomyView.follow(
            "dcs-edge-taxonomy", config.common().kafka(), config.common().topics().taxonomy());
    return Future.fromCompletionStage(taxonomy.caughtUp(), context)
        .compose(taxonomyRead -> KafkaHealth.start(vertx, config.common().kafka(), HEALTH_INTERVAL))
        .compose(
            started -> {
              health = started;
              return KafkaVisitLog.start(
                  vertx,
                  config.common().kafka(),
                  config.common().topics().visits(),
                  config.produce(),
                  () -> started.status().reachable(),
                  metrics);
            })
        .compose(
            started -> {
              log = started;
              return PendingOptOuts.open(vertx, started, config.optOuts());
            })
        .compose(
            optOuts -> {
              questions =
                  config
                      .answers()
                      .qualifierUrl()
                      .map(
                          url ->
                              new QualifierQuestions(
                                  vertx,
                                  url,
                                  config.common().operator(),
                                  config.answers().deadline(),
                                  config.answers().maxInFlight(),
                                  metrics));
              questions.ifPresent(QualifierQuestions::warmUp);
              return deployHttpVerticles(
                  new Shared(
                      config,
                      log,
                      health,
                      metrics,
                      new TaxonomyHitAnswers(taxonomy, questions, Clock.systemUTC()),
                      taxonomy,
                      RealtimeProviders.sharedBreakers(),
                      optOuts));
            });
  }

  /**
   * One verticle per event loop, all on one port; port 0 becomes -1, Vert.x's random port shared by
   * every instance.
   */
  private Future<?> deployHttpVerticles(Shared shared) {
    int instances =
        config.instances() > 0 ? config.instances() : VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    int configured = config.common().http().port();
    List<EdgeVerticle> deployed = new CopyOnWriteArrayList<>();
    Supplier<EdgeVerticle> verticle =
        () -> {
          EdgeVerticle created = new EdgeVerticle(shared, configured == 0 ? -1 : configured);
          deployed.add(created);
          return created;
        };
    return vertx
        .deployVerticle(verticle, new DeploymentOptions().setInstances(instances))
        .onSuccess(
            id -> {
              port = deployed.get(0).actualPort();
              LOG.info(
                  "dcs-edge listening on {}:{} with {} event-loop instances{}",
                  config.common().http().host(),
                  port,
                  instances,
                  config.tls().isPresent() ? " over TLS" : "");
            });
  }

  /** The port the edge listens on, also when the configuration asked for any free port. */
  public int actualPort() {
    return port;
  }

  @Override
  public Future<?> stop() {
    Future<Void> taxonomyStopped =
        taxonomy == null
            ? Future.succeededFuture()
            : Future.fromCompletionStage(taxonomy.stop(), context);
    if (health != null) {
      health.close();
    }
    Future<Void> questionsClosed =
        questions.map(QualifierQuestions::close).orElse(Future.succeededFuture());
    return Future.join(taxonomyStopped, questionsClosed)
        .eventually(
            () ->
                log == null
                    ? Future.succeededFuture()
                    : vertx.executeBlocking(
                        () -> {
                          log.close();
                          return null;
                        }));
  }
}
