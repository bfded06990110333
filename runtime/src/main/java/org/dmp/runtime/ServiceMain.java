package org.dmp.runtime;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.dmp.config.ConfigException;
import org.dmp.config.ConfigReader;
import org.dmp.config.SettingsSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a service process: read and validate its configuration (exit 2 listing every
 * problem), start it on a Vert.x instance (exit 1 if that fails), and on SIGTERM or Ctrl-C drain
 * ({@link Draining}) and close Vert.x, which undeploys every verticle and so closes its Kafka
 * clients.
 */
public final class ServiceMain {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceMain.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private ServiceMain() {}

  /** Starts a service on a Vert.x instance; the returned future completes once it serves. */
  @FunctionalInterface
  public interface Starter<C> extends BiFunction<Vertx, C, Future<RunningService>> {}

  public static <C> void run(
      SettingsSpec spec, String[] args, Function<ConfigReader, C> configure, Starter<C> starter) {
    C config;
    try {
      config = spec.read(System.getenv(), Arrays.asList(args), configure);
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx();
    AtomicReference<Duration> drainDelay = new AtomicReference<>(Duration.ZERO);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> stop(vertx, spec.name(), drainDelay.get()), spec.name() + "-shutdown"));
    try {
      RunningService running =
          MainThread.await(starter.apply(vertx, config), START_TIMEOUT, "starting " + spec.name());
      drainDelay.set(running.drainDelay());
      LOG.info("{} serving on port {} with {}", spec.name(), running.httpPort(), config);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IllegalStateException e) {
      LOG.error("{}", e.getMessage(), e.getCause());
      System.exit(1);
    }
  }

  /**
   * Turns readiness to 503, waits {@code drainDelay} for load balancers to notice, then closes
   * Vert.x and with it every verticle, whose servers let their calls in flight finish first.
   * Blocks: for shutdown hooks.
   */
  public static void stop(Vertx vertx, String name, Duration drainDelay) {
    try {
      Draining.begin(vertx);
      if (!drainDelay.isZero()) {
        LOG.info(
            "Stopping {}: readiness answers 503; calls are taken for {} ms more",
            name,
            drainDelay.toMillis());
        Thread.sleep(drainDelay.toMillis());
      }
      MainThread.await(vertx.close(), STOP_TIMEOUT, "stopping " + name);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IllegalStateException e) {
      LOG.warn("{}", e.getMessage());
    }
  }
}
