package org.dmp.cli;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a foreground command running until Ctrl-C or SIGTERM, then closes what it started in the
 * reverse order of starting, so that services stop before the broker they talk to.
 */
final class Shutdown {
  private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);

  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private final CountDownLatch closed = new CountDownLatch(1);

  Shutdown() {
    Runtime.getRuntime().addShutdownHook(new Thread(this::closeAll, "dmp-shutdown"));
  }

  /** Registers something to close at shutdown; returns it for chaining. */
  synchronized <T extends AutoCloseable> T closeAtExit(T resource) {
    resources.push(resource);
    return resource;
  }

  /**
   * Blocks the calling (main) thread until the process is asked to stop and everything is closed.
   */
  void await() throws InterruptedException {
    closed.await();
  }

  private synchronized void closeAll() {
    while (!resources.isEmpty()) {
      AutoCloseable resource = resources.pop();
      try {
        resource.close();
      } catch (Exception e) {
        LOG.warn("Closing {} failed", resource, e);
      }
    }
    closed.countDown();
  }
}
