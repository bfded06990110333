package org.dmp.sync.http;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.dmp.avro.DeadLetter;
import org.dmp.sync.record.AttemptLog;
import org.dmp.sync.record.DeliveryRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a destination's attempts. A failed attempt that will be retried is recorded for the
 * record's sake; the end of a batch (delivered or dead-lettered) is written until the log has it,
 * and only then is the batch done: its offsets stay uncommitted until its outcome is durable.
 */
final class OutcomeRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(OutcomeRecorder.class);

  private final AttemptLog log;
  private final Vertx vertx;
  private final Consumer<Runnable> readingThread;
  private final BooleanSupplier stopping;
  private final Duration rewriteAfter;

  /**
   * @param readingThread runs a task on the thread that owns the batches
   * @param rewriteAfter how long to wait before writing an outcome again after a failed write
   */
  OutcomeRecorder(
      AttemptLog log,
      Vertx vertx,
      Consumer<Runnable> readingThread,
      BooleanSupplier stopping,
      Duration rewriteAfter) {
    this.log = log;
    this.vertx = vertx;
    this.readingThread = readingThread;
    this.stopping = stopping;
    this.rewriteAfter = rewriteAfter;
  }

  /** An attempt that will be retried: written once, a failed write only logged. */
  void retrying(DeliveryRecord.Attempt attempt) {
    readingThread.accept(
        () ->
            log.attempt(attempt)
                .exceptionally(
                    error -> {
                      LOG.warn(
                          "Destination {}: could not record attempt {} of {}: {}",
                          attempt.destinationId(),
                          attempt.attempt(),
                          attempt.idempotencyKey(),
                          error.toString());
                      return null;
                    }));
  }

  /**
   * The batch's last attempt, and its dead letter when it was given up.
   *
   * @param done runs on the reading thread once both are durable
   */
  void ended(DeliveryRecord.Attempt attempt, Optional<DeadLetter> letter, Runnable done) {
    readingThread.accept(() -> write(attempt, letter, done));
  }

  private void write(DeliveryRecord.Attempt attempt, Optional<DeadLetter> letter, Runnable done) {
    CompletableFuture<Void> written =
        letter.isEmpty()
            ? log.attempt(attempt)
            : CompletableFuture.allOf(log.attempt(attempt), log.deadLetter(letter.get()));
    written.whenComplete(
        (ok, error) -> {
          if (error == null) {
            readingThread.accept(done);
          } else if (!stopping.getAsBoolean()) {
            LOG.warn(
                "Destination {}: recording the outcome of {} failed, trying again: {}",
                attempt.destinationId(),
                attempt.idempotencyKey(),
                error.toString());
            vertx.setTimer(
                rewriteAfter.toMillis(),
                timer -> readingThread.accept(() -> write(attempt, letter, done)));
          }
        });
  }
}
