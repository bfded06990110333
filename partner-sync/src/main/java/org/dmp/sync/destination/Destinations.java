package org.dmp.sync.destination;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.dmp.avro.Destination;
import org.dmp.avro.DestinationType;
import org.dmp.sync.delivery.RetryPolicy;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running destinations, kept equal to the taxonomy's: a destination added is started, one
 * removed is stopped, one changed is stopped and started again with its new declaration. Its group
 * keeps its committed position, so a restart resumes where the old worker stopped. Reconciled from
 * one Vert.x context; statuses may be read from any thread. Workers are started by a function that
 * returns a future, so that what blocks in starting one (creating Kafka clients, opening a spool
 * with fsyncs) runs off the event loop.
 *
 * <p>A destination that failed to start (but for a declaration that cannot run, which waits for the
 * taxonomy to change), or whose worker stopped on its own, is started again by {@link
 * #restartFailed}, after a backoff that grows with each failure in a row. One failing never keeps
 * the others from starting.
 */
public final class Destinations {
  private static final Logger LOG = LoggerFactory.getLogger(Destinations.class);
  private static final List<DestinationType> DELIVERED_HERE =
      List.of(DestinationType.HTTP, DestinationType.KAFKA, DestinationType.BATCH);

  private final Function<Destination, Future<DestinationWorker>> starter;
  private final RetryPolicy backoff;
  private final Map<Long, DestinationWorker> running = new ConcurrentHashMap<>();

  /** Per destination failing in a row: how many times, and when it may be started again. */
  private final Map<Long, Failures> failures = new HashMap<>();

  private Future<?> reconciling = Future.succeededFuture();

  private record Failures(int inARow, long retryAtMillis) {}

  /**
   * @param starter starts a worker for a destination; fails with IllegalArgumentException when it
   *     cannot run as declared
   * @param backoff how long to wait before starting a failed destination again, by failures in a
   *     row (its budget is not used: destinations are started again for as long as they fail)
   */
  public Destinations(
      Function<Destination, Future<DestinationWorker>> starter, RetryPolicy backoff) {
    this.starter = starter;
    this.backoff = backoff;
  }

  /**
   * Brings the running destinations in line with {@code taxonomy}; completes when the stopped ones
   * have stopped.
   */
  public Future<?> reconcile(CompiledTaxonomy taxonomy) {
    Map<Long, Destination> wanted = new HashMap<>();
    DELIVERED_HERE.forEach(
        type ->
            taxonomy
                .destinations()
                .ofType(type)
                .forEach(destination -> wanted.put(destination.getId(), destination)));
    List<Future<Void>> stopping = new ArrayList<>();
    for (DestinationWorker worker : List.copyOf(running.values())) {
      Destination now = wanted.get(worker.destination().getId());
      if (!worker.destination().equals(now)) {
        running.remove(worker.destination().getId());
        failures.remove(worker.destination().getId());
        LOG.info(
            "Destination {} ({}) {}",
            worker.destination().getId(),
            worker.destination().getName(),
            now == null ? "removed: stopping" : "changed: restarting");
        stopping.add(worker.stop());
      }
    }
    reconciling =
        Future.join(stopping)
            .eventually(
                () ->
                    Future.join(
                        wanted.values().stream()
                            .filter(destination -> !running.containsKey(destination.getId()))
                            .map(this::start)
                            .toList()));
    return reconciling;
  }

  private Future<Void> start(Destination destination) {
    NotRunning placeholder = NotRunning.starting(destination);
    running.put(destination.getId(), placeholder);
    Future<DestinationWorker> starting;
    try {
      starting = starter.apply(destination);
    } catch (RuntimeException e) {
      starting = Future.failedFuture(e);
    }
    return starting.transform(
        started -> {
          if (running.get(destination.getId()) != placeholder) {
            // Removed or changed while it started.
            return started.succeeded() ? started.result().stop() : Future.succeededFuture();
          }
          if (started.succeeded()) {
            running.put(destination.getId(), started.result());
            LOG.info(
                "Destination {} ({}, {}) started",
                destination.getId(),
                destination.getName(),
                destination.getType());
          } else if (started.cause() instanceof IllegalArgumentException declaration) {
            LOG.error(
                "Destination {} ({}) cannot run: {}",
                destination.getId(),
                destination.getName(),
                declaration.getMessage());
            running.put(
                destination.getId(),
                NotRunning.failed(destination, declaration.getMessage(), false));
          } else {
            String reason = "failed to start: " + started.cause();
            LOG.error(
                "Destination {} ({}) {}; starting it again later",
                destination.getId(),
                destination.getName(),
                reason,
                started.cause());
            running.put(destination.getId(), NotRunning.failed(destination, reason, true));
          }
          return Future.succeededFuture();
        });
  }

  /**
   * Starts again each destination that failed to start or stopped on its own, once its backoff has
   * passed; forgets the failures of those that run. Call it from the reconciling context, now and
   * then.
   */
  public Future<?> restartFailed(long nowMillis) {
    if (!reconciling.isComplete()) {
      return Future.succeededFuture();
    }
    List<Future<Void>> restarting = new ArrayList<>();
    for (DestinationWorker worker : List.copyOf(running.values())) {
      long id = worker.destination().getId();
      boolean failed;
      if (worker instanceof NotRunning notRunning) {
        if (notRunning.isStarting()) {
          continue;
        }
        failed = notRunning.retry();
      } else {
        failed = worker.status().state().equals(DestinationStatus.FAILED);
        if (!failed) {
          failures.remove(id);
        }
      }
      if (!failed) {
        continue;
      }
      Failures before = failures.get(id);
      if (before == null) {
        // First seen failing: started again once the first delay has passed.
        failures.put(id, new Failures(1, nowMillis + backoff.nominalDelay(1).toMillis()));
        continue;
      }
      if (nowMillis < before.retryAtMillis()) {
        continue;
      }
      int inARow = before.inARow() + 1;
      failures.put(id, new Failures(inARow, nowMillis + backoff.nominalDelay(inARow).toMillis()));
      LOG.warn(
          "Destination {} ({}) failed ({}); starting it again, attempt {}",
          id,
          worker.destination().getName(),
          worker.status().detail(),
          inARow);
      // Held until started, so that a reconcile meanwhile does not start it too; a reconcile that
      // replaces it (the destination changed) wins.
      NotRunning held = NotRunning.starting(worker.destination());
      running.put(id, held);
      restarting.add(
          worker
              .stop()
              .eventually(
                  () ->
                      running.get(id) == held
                          ? start(worker.destination())
                          : Future.succeededFuture()));
    }
    reconciling = Future.join(restarting);
    return reconciling;
  }

  public List<DestinationStatus> statuses() {
    return running.values().stream()
        .map(DestinationWorker::status)
        .sorted(java.util.Comparator.comparingLong(DestinationStatus::id))
        .toList();
  }

  public Optional<DestinationStatus> status(long id) {
    return Optional.ofNullable(running.get(id)).map(DestinationWorker::status);
  }

  /** Stops every destination. */
  public Future<?> stopAll() {
    // After the reconciliation under way: workers it is still starting (off the event loop) are
    // stopped too.
    return reconciling.eventually(
        () -> {
          List<Future<Void>> stopping =
              running.values().stream().map(DestinationWorker::stop).toList();
          running.clear();
          return Future.join(stopping);
        });
  }

  /**
   * A destination with no worker running: being started (RETRYING), or that did not start (FAILED
   * with the reason) until the taxonomy changes, for a declaration that cannot run, or until it is
   * started again ({@code retry}).
   */
  private record NotRunning(Destination destination, String state, String detail, boolean retry)
      implements DestinationWorker {
    static NotRunning starting(Destination destination) {
      return new NotRunning(destination, DestinationStatus.RETRYING, "starting", false);
    }

    static NotRunning failed(Destination destination, String reason, boolean retry) {
      return new NotRunning(destination, DestinationStatus.FAILED, reason, retry);
    }

    boolean isStarting() {
      return state.equals(DestinationStatus.RETRYING);
    }

    @Override
    public DestinationStatus status() {
      return new DestinationStatus(
          destination.getId(),
          destination.getName(),
          DestinationStatus.typeOf(destination),
          state,
          detail,
          null,
          null);
    }

    @Override
    public Future<Void> stop() {
      return Future.succeededFuture();
    }
  }
}
