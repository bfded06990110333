package org.dmp.sync.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmp.avro.DeadLetter;
import org.dmp.avro.DeliveryChannel;
import org.dmp.avro.DeliveryOutcome;
import org.dmp.sync.record.AttemptLog;
import org.dmp.sync.record.DeliveryRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class OutcomeRecorderTest {
  private static final DeliveryRecord.Attempt DELIVERED =
      new DeliveryRecord.Attempt(
          9001,
          DeliveryChannel.HTTP,
          "9001-0-0-3",
          List.of("v1"),
          2,
          DeliveryOutcome.DELIVERED,
          200,
          Duration.ofMillis(4),
          null);

  /** The reading thread: one thread, as the destination consumer has. */
  private final ExecutorService readingThread = Executors.newSingleThreadExecutor();

  @AfterEach
  void stopReadingThread() {
    readingThread.shutdownNow();
  }

  /** A log that fails the first writes it is given, then keeps what it is given. */
  private static final class FlakyLog implements AttemptLog {
    final AtomicInteger failuresLeft;
    final List<Object> written = new CopyOnWriteArrayList<>();

    FlakyLog(int failures) {
      failuresLeft = new AtomicInteger(failures);
    }

    @Override
    public CompletableFuture<Void> attempt(DeliveryRecord.Attempt attempt) {
      return write(attempt);
    }

    @Override
    public CompletableFuture<Void> deadLetter(DeadLetter letter) {
      return write(letter);
    }

    private CompletableFuture<Void> write(Object entry) {
      if (failuresLeft.getAndDecrement() > 0) {
        return CompletableFuture.failedFuture(new IllegalStateException("broker away"));
      }
      written.add(entry);
      return CompletableFuture.completedFuture(null);
    }
  }

  @Test
  void aBatchIsDoneOnlyOnceItsOutcomeIsWrittenHoweverOftenWritingFails(Vertx vertx) {
    FlakyLog log = new FlakyLog(3);
    OutcomeRecorder recorder =
        new OutcomeRecorder(log, vertx, readingThread::execute, () -> false, Duration.ofMillis(10));
    AtomicBoolean done = new AtomicBoolean();
    AtomicBoolean doneOnReadingThread = new AtomicBoolean();

    recorder.ended(
        DELIVERED,
        Optional.empty(),
        () -> {
          doneOnReadingThread.set(Thread.currentThread().getName().startsWith("pool-"));
          done.set(true);
        });

    await().atMost(Duration.ofSeconds(10)).untilTrue(done);
    assertThat(log.written).containsExactly(DELIVERED);
    assertThat(doneOnReadingThread).isTrue();
  }

  @Test
  void aDeadLetteredBatchIsDoneOnceBothTheAttemptAndTheLetterAreWritten(Vertx vertx) {
    FlakyLog log = new FlakyLog(1);
    OutcomeRecorder recorder =
        new OutcomeRecorder(log, vertx, readingThread::execute, () -> false, Duration.ofMillis(10));
    DeadLetter letter =
        new DeadLetter(
            9001L,
            DeliveryChannel.HTTP,
            "9001-0-0-3",
            "permanent failure: HTTP 400",
            1,
            Instant.EPOCH,
            Instant.EPOCH,
            List.of(),
            null);
    AtomicBoolean done = new AtomicBoolean();

    recorder.ended(DELIVERED, Optional.of(letter), () -> done.set(true));

    await().atMost(Duration.ofSeconds(10)).untilTrue(done);
    assertThat(log.written).contains(letter);
  }

  @Test
  void aStoppingDestinationStopsRewritingAndLeavesTheBatchUndone(Vertx vertx) throws Exception {
    FlakyLog log = new FlakyLog(Integer.MAX_VALUE);
    AtomicBoolean stopping = new AtomicBoolean(true);
    OutcomeRecorder recorder =
        new OutcomeRecorder(
            log, vertx, readingThread::execute, stopping::get, Duration.ofMillis(10));
    AtomicBoolean done = new AtomicBoolean();

    recorder.ended(DELIVERED, Optional.empty(), () -> done.set(true));

    // The write was tried once on the reading thread; with the destination stopping it is not tried
    // again.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> log.failuresLeft.get() == Integer.MAX_VALUE - 1);
    readingThread.submit(() -> null).get();
    assertThat(done).isFalse();
    assertThat(log.failuresLeft.get()).isEqualTo(Integer.MAX_VALUE - 1);
  }
}
