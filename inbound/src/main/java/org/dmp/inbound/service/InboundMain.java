package org.dmp.inbound.service;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Optional;
import java.util.function.Function;
import org.dmp.runtime.HealthRoutes;
import org.dmp.runtime.RunningService;
import org.dmp.runtime.ServiceMain;

/**
 * Runs the inbound service: {@code java -jar inbound/target/inbound.jar [--key=value ...]}. It
 * watches the inbox and takes uploads; {@code dmp ingest} does the same for files named on the
 * command line.
 */
public final class InboundMain {
  private InboundMain() {}

  public static void main(String[] args) {
    ServiceMain.run(InboundConfig.SETTINGS, args, InboundConfig::read, InboundMain::start);
  }

  public static Future<RunningService> start(Vertx vertx, InboundConfig config) {
    return start(vertx, config, name -> Optional.ofNullable(System.getenv(name)));
  }

  /**
   * @param environment where the upload token is read from, by the variable the configuration names
   */
  public static Future<RunningService> start(
      Vertx vertx, InboundConfig config, Function<String, Optional<String>> environment) {
    InboxVerticle inbox = new InboxVerticle(config);
    return vertx
        .deployVerticle(inbox)
        .compose(
            deployed ->
                config
                    .common()
                    .startStatusServer(
                        vertx,
                        InboundConfig.SETTINGS.name(),
                        HealthRoutes.Readiness.ALWAYS,
                        router ->
                            new Uploads(
                                    vertx,
                                    inbox.inbox(),
                                    environment.apply(config.uploadTokenEnv()),
                                    config.maxUploadBytes())
                                .mount(router)));
  }
}
