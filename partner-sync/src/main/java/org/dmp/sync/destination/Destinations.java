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
 */
public final class Destinations {
  private static final Logger LOG = LoggerFactory.getLogger(Destinations.class);
  private static final List<DestinationType> DELIVERED_HERE =
      List.of(DestinationType.HTTP, DestinationType.KAFKA, DestinationType.BATCH);

  private final Function<Destination, Future<DestinationWorker>> starter;
  private final Map<Long, DestinationWorker> running = new ConcurrentHashMap<>();
  private Future<?> reconciling = Future.succeededFuture();

  /**
   * @param starter starts a worker for a destination; fails with IllegalArgumentException when it
   *     cannot run as declared
   */
  public Destinations(Function<Destination, Future<DestinationWorker>> starter) {
    this.starter = starter;
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
    return starter
        .apply(destination)
        .transform(
            started -> {
              if (started.succeeded()) {
                running.put(destination.getId(), started.result());
                LOG.info(
                    "Destination {} ({}, {}) started",
                    destination.getId(),
                    destination.getName(),
                    destination.getType());
              } else {
                String reason =
                    started.cause() instanceof IllegalArgumentException
                        ? started.cause().getMessage()
                        : started.cause().toString();
                LOG.error(
                    "Destination {} ({}) cannot run: {}",
                    destination.getId(),
                    destination.getName(),
                    reason);
                running.put(destination.getId(), new Unrunnable(destination, reason));
              }
              return Future.succeededFuture();
            });
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
   * A destination declared in a way it cannot run: shown as FAILED with the reason until the
   * taxonomy changes.
   */
  private record Unrunnable(Destination destination, String reason) implements DestinationWorker {
    @Override
    public DestinationStatus status() {
      return new DestinationStatus(
          destination.getId(),
          destination.getName(),
          DestinationStatus.typeOf(destination),
          DestinationStatus.FAILED,
          reason,
          null);
    }

    @Override
    public Future<Void> stop() {
      return Future.succeededFuture();
    }
  }
}
