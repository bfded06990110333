package org.dmp.inbound.service;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import org.dmp.inbound.ingest.Ingestion;
import org.dmp.taxonomy.TaxonomyView;

/** The inbox with what it needs (the taxonomy in force), started and stopped with the service. */
final class InboxVerticle extends VerticleBase {
  private final InboundConfig config;
  private TaxonomyView taxonomy;
  private volatile Inbox inbox;

  InboxVerticle(InboundConfig config) {
    this.config = config;
  }

  /** Null until started. */
  Inbox inbox() {
    return inbox;
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(
        () -> {
          taxonomy =
              TaxonomyView.follow(
                  "inbound-taxonomy", config.common().kafka(), config.common().topics().taxonomy());
          taxonomy.caughtUp().get();
          inbox =
              new Inbox(
                  config.inbox(),
                  new Ingestion(
                      config.common().kafka(),
                      config.common().topics(),
                      taxonomy,
                      Clock.systemUTC(),
                      config.linesPerTransaction()));
          inbox.start(config.pollInterval());
          return null;
        });
  }

  @Override
  public Future<?> stop() {
    return vertx.executeBlocking(
        () -> {
          if (inbox != null) {
            inbox.close();
          }
          if (taxonomy != null) {
            taxonomy.close();
          }
          return null;
        });
  }
}
