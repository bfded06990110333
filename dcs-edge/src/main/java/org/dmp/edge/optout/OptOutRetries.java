package org.dmp.edge.optout;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmp.avro.VisitEvent;
import org.dmp.edge.visit.VisitLog;
import org.dmp.runtime.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opt-outs the log could not take at once (Kafka unreachable, or its budget full): the browser was
 * answered NOTARGET already, and each event is offered again, with a growing delay, until Kafka
 * takes it. The qualifier treats an opt-out seen twice as once, so a retry that raced an
 * acknowledgement costs nothing.
 *
 * <p>Held in this process's memory: an edge that stops while Kafka is still down loses the events
 * (not the browsers' cookies). At most {@code maxPending} wait; one more is logged as an error.
 */
final class OptOutRetries {
  private static final Logger LOG = LoggerFactory.getLogger(OptOutRetries.class);
  private static final Duration FIRST_DELAY = Duration.ofSeconds(1);
  private static final Duration MAX_DELAY = Duration.ofSeconds(30);

  private final VisitLog log;
  private final int maxPending;
  private final AtomicInteger pending = new AtomicInteger();
  private final RateLimitedLog warnings = new RateLimitedLog(LOG, Duration.ofSeconds(10));

  OptOutRetries(VisitLog log, int maxPending) {
    this.log = log;
    this.maxPending = maxPending;
  }

  /** Offers {@code event} again later, on {@code vertx}'s timers. */
  void later(Vertx vertx, VisitEvent event, Throwable failure) {
    if (pending.incrementAndGet() > maxPending) {
      pending.decrementAndGet();
      LOG.error(
          "Opt-out {} of visitor {} cannot be kept: {} opt-outs already wait for Kafka"
              + " (optout.max-pending); the browser is opted out, the platform is not told",
          event.getEventId(),
          event.getVisitorId(),
          maxPending);
      return;
    }
    warnings.warn(
        "waiting",
        "Opt-outs wait for Kafka ({} now): {}; each is offered again until it is taken",
        pending.get(),
        failure.toString());
    schedule(vertx, event, FIRST_DELAY);
  }

  private void schedule(Vertx vertx, VisitEvent event, Duration delay) {
    vertx.setTimer(
        delay.toMillis(),
        timer ->
            log.append(event)
                .onSuccess(
                    logged -> {
                      pending.decrementAndGet();
                      LOG.info("Opt-out {} reached the log after waiting", event.getEventId());
                    })
                .onFailure(
                    again -> {
                      Duration next = delay.multipliedBy(2);
                      schedule(vertx, event, next.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : next);
                    }));
  }
}
