package org.dmp.edge.optout;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.dmp.avro.VisitEvent;
import org.dmp.edge.visit.VisitLog;
import org.dmp.runtime.RateLimitedLog;
import org.dmp.schemas.serde.AvroSerde;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opt-outs the log could not take at once (Kafka unreachable, or its budget full). Each is kept in
 * the journal folder, one file per event synced to disk, before the browser is answered; then it is
 * offered to the log again, with a growing delay, until Kafka takes it, and its file goes. An edge
 * started again offers what its journal holds, so an opt-out survives the edge stopping or crashing
 * while Kafka is down. The qualifier treats an opt-out seen twice as once: an offer that raced an
 * acknowledgement, or a crash before a file's deletion, costs nothing.
 *
 * <p>One per edge process, shared by its event loops. At most {@code maxPending} wait; one more is
 * logged as an error and not kept (the browser is opted out all the same). Without a journal
 * folder, waiting opt-outs are held in memory only.
 */
public final class PendingOptOuts {
  private static final Logger LOG = LoggerFactory.getLogger(PendingOptOuts.class);
  private static final Duration FIRST_DELAY = Duration.ofSeconds(1);
  private static final Duration MAX_DELAY = Duration.ofSeconds(30);
  private static final AvroSerde<VisitEvent> EVENTS = AvroSerde.of(VisitEvent.class);
  private static final String SUFFIX = ".optout";

  /**
   * @param maxPending how many opt-outs may wait for Kafka in one edge
   * @param journal where they wait, if on disk
   */
  public record Settings(int maxPending, Optional<Path> journal) {}

  private final Vertx vertx;
  private final VisitLog log;
  private final Settings settings;
  private final AtomicInteger pending = new AtomicInteger();
  private final RateLimitedLog warnings = new RateLimitedLog(LOG, Duration.ofSeconds(10));

  private PendingOptOuts(Vertx vertx, VisitLog log, Settings settings) {
    this.vertx = vertx;
    this.log = log;
    this.settings = settings;
  }

  /**
   * Opens the journal, creating its folder, and offers the log every opt-out it holds.
   *
   * @return failed, naming the folder, when it cannot be made or read
   */
  public static Future<PendingOptOuts> open(Vertx vertx, VisitLog log, Settings settings) {
    PendingOptOuts optOuts = new PendingOptOuts(vertx, log, settings);
    if (settings.journal().isEmpty()) {
      return Future.succeededFuture(optOuts);
    }
    Path folder = settings.journal().get();
    return vertx
        .executeBlocking(() -> read(folder))
        .recover(
            unreadable ->
                Future.failedFuture(
                    new IllegalStateException(
                        "optout.journal-dir "
                            + folder
                            + " cannot be used: "
                            + unreadable.getMessage(),
                        unreadable)))
        .map(
            kept -> {
              if (!kept.isEmpty()) {
                LOG.info(
                    "{} opt-outs wait in the journal {}; each is offered to Kafka until taken",
                    kept.size(),
                    folder);
              }
              kept.forEach(
                  event -> {
                    optOuts.pending.incrementAndGet();
                    optOuts.schedule(event, FIRST_DELAY);
                  });
              return optOuts;
            });
  }

  /**
   * Keeps an opt-out the log refused. Completes once the journal holds it (or, the journal failing,
   * once that is logged): then the browser may be answered.
   */
  Future<Void> keep(VisitEvent event, Throwable failure) {
    if (pending.incrementAndGet() > settings.maxPending()) {
      pending.decrementAndGet();
      LOG.error(
          "Opt-out {} of visitor {} cannot be kept: {} opt-outs already wait for Kafka"
              + " (optout.max-pending); the browser is opted out, the platform is not told",
          event.getEventId(),
          event.getVisitorId(),
          settings.maxPending());
      return Future.succeededFuture();
    }
    warnings.warn(
        "waiting",
        "Opt-outs wait for Kafka ({} now): {}; each is offered again until it is taken",
        pending.get(),
        failure.toString());
    Future<Void> written =
        settings
            .journal()
            .map(folder -> vertx.<Void>executeBlocking(() -> write(folder, event), false))
            .orElse(Future.succeededFuture());
    return written
        .onComplete(done -> schedule(event, FIRST_DELAY))
        .recover(
            unwritten -> {
              LOG.error(
                  "Opt-out {} waits for Kafka in memory only: the journal cannot hold it",
                  event.getEventId(),
                  unwritten);
              return Future.succeededFuture();
            });
  }

  private void schedule(VisitEvent event, Duration delay) {
    vertx.setTimer(
        delay.toMillis(),
        timer ->
            log.append(event)
                .onSuccess(
                    logged -> {
                      pending.decrementAndGet();
                      LOG.info("Opt-out {} reached the log after waiting", event.getEventId());
                      settings
                          .journal()
                          .ifPresent(
                              folder ->
                                  vertx
                                      .executeBlocking(
                                          () -> Files.deleteIfExists(file(folder, event)), false)
                                      .onFailure(
                                          e ->
                                              LOG.warn(
                                                  "Opt-out {} is in the log but its journal file"
                                                      + " stays (offered again at the next start)",
                                                  event.getEventId(),
                                                  e)));
                    })
                .onFailure(
                    again -> {
                      Duration next = delay.multipliedBy(2);
                      schedule(event, next.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : next);
                    }));
  }

  /** Written whole, synced, then renamed in: a file in the journal is never half an event. */
  private static Void write(Path folder, VisitEvent event) throws IOException {
    Path file = file(folder, event);
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    Files.write(
        partial,
        EVENTS.encode(event),
        StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE,
        StandardOpenOption.DSYNC);
    Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
    return null;
  }

  private static List<VisitEvent> read(Path folder) throws IOException {
    Files.createDirectories(folder);
    List<VisitEvent> kept = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).toList()) {
        try {
          kept.add(EVENTS.decode(folder.toString(), Files.readAllBytes(file)));
        } catch (RuntimeException e) {
          Path unreadable = file.resolveSibling(file.getFileName() + ".unreadable");
          Files.move(file, unreadable, StandardCopyOption.REPLACE_EXISTING);
          LOG.error("Opt-out journal file {} cannot be read; moved to {}", file, unreadable, e);
        }
      }
    }
    return kept;
  }

  private static Path file(Path folder, VisitEvent event) {
    // Event ids are UUIDs the edge makes; anything else is kept out of the file name.
    return folder.resolve(event.getEventId().replaceAll("[^A-Za-z0-9-]", "_") + SUFFIX);
  }
}
