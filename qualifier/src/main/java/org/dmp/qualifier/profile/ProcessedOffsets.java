package org.dmp.qualifier.profile;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The highest offset of each visits partition this instance has processed, and the same-hit
 * questions waiting for one: the stream thread tells them when their offset is processed, so no
 * question polls.
 *
 * <p>At most {@code maxWaiting} questions wait at once; one more is answered "not reached" at once,
 * so a burst cannot pile up timers and memory.
 */
public final class ProcessedOffsets {
  private final Map<Integer, Partition> partitions = new ConcurrentHashMap<>();
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicLong sequence = new AtomicLong();
  private final int maxWaiting;
  private final LongConsumer edgeHitProcessed;

  /**
   * @param edgeHitProcessed told the time of each hit from the edge once it is processed, for the
   *     stage latency
   */
  public ProcessedOffsets(int maxWaiting, LongConsumer edgeHitProcessed) {
    this.maxWaiting = maxWaiting;
    this.edgeHitProcessed = edgeHitProcessed;
  }

  private record Waiter(long offset, long sequence, Promise<Boolean> reached, Context context) {}

  private static final class Partition {
    volatile long processed = -1;

    /**
     * Guarded by itself; read by the stream thread only when {@link #waiters} says someone waits.
     */
    final TreeSet<Waiter> queue =
        new TreeSet<>(Comparator.comparingLong(Waiter::offset).thenComparingLong(Waiter::sequence));

    final AtomicInteger waiters = new AtomicInteger();
  }

  /**
   * Called by the stream thread after each record; {@code hitMillis} is the time of an edge's hit,
   * else negative.
   */
  void processed(int partition, long offset, long hitMillis) {
    if (hitMillis >= 0) {
      edgeHitProcessed.accept(hitMillis);
    }
    Partition state = partitions.computeIfAbsent(partition, any -> new Partition());
    if (offset > state.processed) {
      state.processed = offset;
    }
    if (state.waiters.get() == 0) {
      return;
    }
    synchronized (state.queue) {
      while (!state.queue.isEmpty() && state.queue.first().offset() <= offset) {
        release(state, state.queue.pollFirst(), true);
      }
    }
  }

  /** The highest offset of {@code partition} processed here; -1 for none. */
  public long offset(int partition) {
    Partition state = partitions.get(partition);
    return state == null ? -1 : state.processed;
  }

  /** Whether the record at {@code offset} of {@code partition} has been processed here. */
  public boolean reached(int partition, long offset) {
    Partition state = partitions.get(partition);
    return state != null && state.processed >= offset;
  }

  /**
   * True once the record at {@code offset} is processed, false when {@code wait} runs out first or
   * too many questions wait already. Completes on the calling Vert.x context.
   */
  public Future<Boolean> await(Context context, int partition, long offset, Duration wait) {
    if (reached(partition, offset)) {
      return Future.succeededFuture(true);
    }
    if (waiting.incrementAndGet() > maxWaiting) {
      waiting.decrementAndGet();
      return Future.succeededFuture(false);
    }
    Partition state = partitions.computeIfAbsent(partition, any -> new Partition());
    Waiter waiter = new Waiter(offset, sequence.incrementAndGet(), Promise.promise(), context);
    synchronized (state.queue) {
      state.queue.add(waiter);
      state.waiters.incrementAndGet();
    }
    // Processed between the first look and joining the queue: the stream thread may not look again.
    if (reached(partition, offset)) {
      synchronized (state.queue) {
        if (state.queue.remove(waiter)) {
          release(state, waiter, true);
        }
      }
    }
    long timer =
        context
            .owner()
            .setTimer(
                Math.max(1, wait.toMillis()),
                id -> {
                  synchronized (state.queue) {
                    if (state.queue.remove(waiter)) {
                      release(state, waiter, false);
                    }
                  }
                });
    return waiter.reached().future().onComplete(done -> context.owner().cancelTimer(timer));
  }

  private void release(Partition state, Waiter waiter, boolean reached) {
    state.waiters.decrementAndGet();
    waiting.decrementAndGet();
    waiter.context().runOnContext(any -> waiter.reached().complete(reached));
  }
}
