package org.dmp.sync;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.dmp.avro.Destination;
import org.dmp.avro.DestinationType;
import org.dmp.runtime.HealthRoutes;
import org.dmp.runtime.kafka.DeadLetters;
import org.dmp.sync.batch.BatchChannel;
import org.dmp.sync.destination.DestinationStatus;
import org.dmp.sync.destination.DestinationWorker;
import org.dmp.sync.destination.Destinations;
import org.dmp.sync.http.DeadLetterResend;
import org.dmp.sync.http.HttpChannel;
import org.dmp.sync.record.DeliveryRecord;
import org.dmp.sync.topic.KafkaTopicChannel;
import org.dmp.taxonomy.TaxonomyView;

/**
 * Partner sync: follows the taxonomy and runs one {@link
 * org.dmp.sync.destination.DestinationConsumer} per http, kafka and batch destination, each in its
 * own consumer group with the channel of its type, starting and stopping them as destinations come
 * and go.
 */
public final class PartnerSyncServer extends VerticleBase {
  private static final long RESEND_BODY_LIMIT = 1024 * 1024;
  private final PartnerSyncConfig config;
  private final Function<String, Optional<String>> environment;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private TaxonomyView taxonomy;
  private DeliveryRecord record;
  private Destinations destinations;
  private DeadLetterResend resend;
  private long reconciledRevision = -1;
  private boolean reconciling;

  /** Set once stopping began: a revision arriving then starts no destination. */
  private boolean stopping;

  private long restartTimer = -1;

  /**
   * @param environment where signing secrets are looked up by their variable's name
   */
  public PartnerSyncServer(
      PartnerSyncConfig config, Function<String, Optional<String>> environment) {
    this.config = config;
    String prefix = config.signingSecretPrefix();
    // A taxonomy names the variables; only those under the prefix may be read.
    this.environment =
        name -> {
          if (!name.startsWith(prefix)) {
            throw new IllegalArgumentException(
                "the signing secret's environment variable "
                    + name
                    + " does not start with sync.signing.secret-env-prefix "
                    + prefix);
          }
          return environment.apply(name);
        };
  }

  @Override
  public Future<?> start() {
    taxonomy =
        TaxonomyView.follow(
            "partner-sync-taxonomy", config.common().kafka(), config.common().topics().taxonomy());
    // Destinations follow the taxonomy as each revision comes into force, not on a timer.
    taxonomy.onRevision(
        () ->
            context.runOnContext(
                changed -> {
                  if (destinations != null && !stopping) {
                    reconcileIfChanged();
                  }
                }));
    return Future.fromCompletionStage(taxonomy.caughtUp(), context)
        .compose(
            caughtUp ->
                vertx.executeBlocking(
                    () ->
                        new DeliveryRecord(
                            config.common().kafka(), config.common().topics(), Clock.systemUTC())))
        .compose(
            created -> {
              record = created;
              resend =
                  new DeadLetterResend(
                      vertx,
                      config.common().kafka(),
                      config.common().topics().deadLetters(),
                      taxonomy,
                      config.http(),
                      record,
                      environment,
                      Clock.systemUTC());
              destinations = new Destinations(this::startWorker, config.retry());
              // Failed destinations are started again after their backoff, checked this often.
              long check = Math.max(50, Math.min(1000, config.retry().initialDelay().toMillis()));
              restartTimer =
                  vertx.setPeriodic(
                      check,
                      tick -> {
                        if (!stopping && !reconciling) {
                          destinations.restartFailed(System.currentTimeMillis());
                        }
                      });
              return reconcileIfChanged();
            });
  }

  private Future<?> reconcileIfChanged() {
    long revision = taxonomy.revision();
    if (reconciling || revision == reconciledRevision) {
      return Future.succeededFuture();
    }
    reconciling = true;
    return destinations
        .reconcile(taxonomy.get())
        .onComplete(
            done -> {
              reconciling = false;
              reconciledRevision = revision;
              // A revision that came while this one was being reconciled.
              if (!stopping) {
                reconcileIfChanged();
              }
            });
  }

  /**
   * Off the event loop: a worker creates Kafka clients, and a batch destination opens its spool
   * with fsyncs.
   */
  private Future<DestinationWorker> startWorker(Destination destination) {
    return vertx.executeBlocking(() -> startWorkerBlocking(destination));
  }

  private DestinationWorker startWorkerBlocking(Destination destination) {
    if (destination.getType() == DestinationType.HTTP) {
      return HttpChannel.start(
          destination,
          config.reading(),
          config.http(),
          config.retry(),
          vertx,
          record,
          registry,
          environment,
          Clock.systemUTC());
    }
    if (destination.getType() == DestinationType.BATCH) {
      return BatchChannel.start(
          destination,
          config.reading(),
          config.files(),
          config.retry(),
          vertx,
          record,
          registry,
          Clock.systemUTC());
    }
    return KafkaTopicChannel.start(destination, config.reading(), vertx, record, registry);
  }

  /**
   * {@code /destinations}: each destination's state and counts; {@code /destinations/ID}: 200 when
   * it is UP, else 503; {@code /metrics}: for callers bearing the operator token.
   */
  public void routes(Router router) {
    router.route("/destinations*").handler(config.common().operator().guard());
    router
        .get("/destinations")
        .handler(
            request ->
                request
                    .response()
                    .putHeader("Content-Type", "application/json")
                    .end(
                        new JsonArray(
                                destinations.statuses().stream()
                                    .map(DestinationStatus::toJson)
                                    .toList())
                            .encodePrettily()));
    router
        .get("/destinations/:id")
        .handler(
            request -> {
              Optional<DestinationStatus> status;
              try {
                status = destinations.status(Long.parseLong(request.pathParam("id")));
              } catch (NumberFormatException e) {
                status = Optional.empty();
              }
              request.response().putHeader("Content-Type", "application/json");
              if (status.isEmpty()) {
                request
                    .response()
                    .setStatusCode(404)
                    .end("{\"error\":\"no such destination running here\"}");
              } else {
                request
                    .response()
                    .setStatusCode(status.get().healthy() ? 200 : 503)
                    .end(status.get().toJson().encode());
              }
            });
    router.route("/deadletters*").handler(config.common().operator().guard());
    router
        .post("/deadletters/resend")
        .handler(BodyHandler.create().setBodyLimit(RESEND_BODY_LIMIT))
        .handler(this::resend);
    HealthRoutes.mountMetrics(router, config.common().operator(), registry::scrape);
  }

  /**
   * {@code POST /deadletters/resend} {@code {"letters": ["0:12", ...]}}: each letter named by its
   * position on the dead-letter topic is sent again (see {@link DeadLetterResend}); the answer says
   * what became of each.
   */
  private void resend(RoutingContext request) {
    List<DeadLetters.Position> positions = new ArrayList<>();
    try {
      JsonObject body = request.body().asJsonObject();
      JsonArray letters = body == null ? null : body.getJsonArray("letters");
      if (letters == null || letters.isEmpty()) {
        throw new IllegalArgumentException(
            "send {\"letters\": [\"<partition>:<offset>\", ...]}, the letters to send again");
      }
      for (Object letter : letters) {
        positions.add(DeadLetters.Position.parse(String.valueOf(letter)));
      }
    } catch (RuntimeException e) {
      request
          .response()
          .setStatusCode(400)
          .putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", e.getMessage()).encode());
      return;
    }
    resend
        .resend(positions)
        .onSuccess(
            answers ->
                request
                    .response()
                    .putHeader("Content-Type", "application/json")
                    .end(answers.encode()))
        .onFailure(
            failure ->
                request
                    .response()
                    .setStatusCode(503)
                    .putHeader("Content-Type", "application/json")
                    .end(
                        new JsonObject()
                            .put("error", "cannot read the dead letters: " + failure.getMessage())
                            .encode()));
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(restartTimer);
    Future<?> stopped = destinations == null ? Future.succeededFuture() : destinations.stopAll();
    return stopped.eventually(
        () ->
            vertx.executeBlocking(
                () -> {
                  if (record != null) {
                    record.close();
                  }
                  taxonomy.close();
                  return null;
                }));
  }
}
