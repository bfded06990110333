package org.dmp.console.taxonomy;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import org.dmp.console.ConsoleConfig;

/**
 * The taxonomy the console follows and changes: started once the taxonomy in force is read, and
 * stopped (its topic reader and writer thread closed) with the console.
 */
public final class TaxonomyVerticle extends VerticleBase {
  private final ConsoleConfig config;
  private volatile TaxonomyStore store;

  public TaxonomyVerticle(ConsoleConfig config) {
    this.config = config;
  }

  /** Null until started. */
  public TaxonomyStore store() {
    return store;
  }

  @Override
  public Future<?> start() {
    return vertx
        .executeBlocking(
            () ->
                store =
                    new TaxonomyStore(
                        vertx,
                        config.common().kafka(),
                        config.common().topics().taxonomy(),
                        Clock.systemUTC(),
                        config.publishTimeout()))
        .compose(TaxonomyStore::caughtUp);
  }

  @Override
  public Future<?> stop() {
    return vertx.executeBlocking(
        () -> {
          if (store != null) {
            store.close();
          }
          return null;
        });
  }
}
