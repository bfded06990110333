package org.dmp.runtime;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How a service stops without failing the calls it took: readiness answers 503 at once, so that
 * load balancers send no more; after {@code http.drain-delay} the HTTP servers stop taking calls
 * and give those in flight {@code http.drain-timeout} to finish; only then do the services close
 * their Kafka clients. The mark lives in the Vert.x instance's local shared data, where every
 * verticle's health route sees it.
 */
public final class Draining {
  private static final String MAP = "dmp.lifecycle";
  private static final String KEY = "draining";

  private Draining() {}

  /** From now on, readiness answers 503. */
  public static void begin(Vertx vertx) {
    vertx.sharedData().<String, Boolean>getLocalMap(MAP).put(KEY, Boolean.TRUE);
  }

  public static boolean underway(Vertx vertx) {
    return Boolean.TRUE.equals(vertx.sharedData().<String, Boolean>getLocalMap(MAP).get(KEY));
  }

  /**
   * Stops {@code server} taking calls, lets those in flight finish within {@code timeout}, then
   * closes it.
   */
  public static Future<Void> shutdown(HttpServer server, Duration timeout) {
    return server.shutdown(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
