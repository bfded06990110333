package org.dmp.runtime;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Waiting for a Vert.x future from a thread that may block: a program's main thread or a shutdown
 * hook. Never from an event loop, where this would stall every handler on it.
 */
public final class MainThread {
  private MainThread() {}

  /**
   * @return the future's result
   * @throws IllegalStateException if it failed (with its cause) or did not complete within {@code
   *     timeout}
   */
  public static <T> T await(Future<T> future, Duration timeout, String what)
      throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    future.onComplete(result -> done.countDown());
    if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(
          what + " did not complete within " + timeout.toSeconds() + " s");
    }
    if (future.failed()) {
      throw new IllegalStateException(
          what + " failed: " + future.cause().getMessage(), future.cause());
    }
    return future.result();
  }
}
