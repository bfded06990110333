package org.dmp.runtime;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * A warning that may repeat thousands of times a second under load (a dependency down, a queue
 * full): logged at most once per interval for each kind, with how many were left out since, so the
 * cause is always in the log without the log becoming the load.
 */
public final class RateLimitedLog {
  private final Logger log;
  private final long intervalNanos;
  private final Map<String, Kind> kinds = new ConcurrentHashMap<>();

  private static final class Kind {
    final AtomicLong nextAt = new AtomicLong(Long.MIN_VALUE);
    final AtomicLong suppressed = new AtomicLong();
  }

  public RateLimitedLog(Logger log, Duration interval) {
    this.log = log;
    this.intervalNanos = interval.toNanos();
  }

  /**
   * Logs {@code message} (with its parameters) unless a warning of the same kind was logged within
   * the interval.
   */
  public void warn(String kind, String message, Object... parameters) {
    Kind state = kinds.computeIfAbsent(kind, any -> new Kind());
    long now = System.nanoTime();
    long due = state.nextAt.get();
    if ((due != Long.MIN_VALUE && now - due < 0)
        || !state.nextAt.compareAndSet(due, now + intervalNanos)) {
      state.suppressed.incrementAndGet();
      return;
    }
    long leftOut = state.suppressed.getAndSet(0);
    if (leftOut > 0) {
      log.warn(
          message + " ({} more like it in the last {} s)",
          append(parameters, leftOut, intervalNanos / 1_000_000_000));
    } else {
      log.warn(message, parameters);
    }
  }

  private static Object[] append(Object[] parameters, Object... more) {
    Object[] all = new Object[parameters.length + more.length];
    System.arraycopy(parameters, 0, all, 0, parameters.length);
    System.arraycopy(more, 0, all, parameters.length, more.length);
    return all;
  }
}
