package org.dmp.console.taxonomy;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import java.time.Clock;
import org.dmp.console.ConsoleConfig;

/**
 * The taxonomy the console follows and changes, with the API over it: started once the taxonomy in
 * force is read, and stopped (its topic reader and writer thread closed) with the console.
 */
public final class TaxonomyVerticle extends VerticleBase {
  private final ConsoleConfig config;
  private TaxonomyStore store;
  private volatile Router api;

  public TaxonomyVerticle(ConsoleConfig config) {
    this.config = config;
  }

  /** The API's router, to mount at /api; null until started. */
  public Router api() {
    return api;
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
        .compose(started -> started.caughtUp())
        .compose(caughtUp -> TaxonomyApi.router(vertx, store, config.maxBodyBytes()))
        .onSuccess(router -> api = router);
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
