package org.dmp.sync;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Optional;
import java.util.function.Function;
import org.dmp.config.SettingsSpec;
import org.dmp.runtime.CommonConfig;
import org.dmp.runtime.RunningService;
import org.dmp.runtime.ServiceMain;

/** Runs partner-sync: {@code java -jar partner-sync/target/partner-sync.jar [--key=value ...]}. */
public final class PartnerSyncMain {
  /** Its settings: partner-sync.properties, overridable by DMP_ variables and flags. */
  public static final SettingsSpec SETTINGS = CommonConfig.spec("partner-sync");

  private PartnerSyncMain() {}

  public static void main(String[] args) {
    ServiceMain.run(SETTINGS, args, PartnerSyncConfig::read, PartnerSyncMain::start);
  }

  /** Starts the service on {@code vertx}, with signing secrets from the process's environment. */
  public static Future<RunningService> start(Vertx vertx, PartnerSyncConfig config) {
    return start(vertx, config, name -> Optional.ofNullable(System.getenv(name)));
  }

  /** Starts the service on {@code vertx}, with signing secrets looked up in {@code environment}. */
  public static Future<RunningService> start(
      Vertx vertx, PartnerSyncConfig config, Function<String, Optional<String>> environment) {
    PartnerSyncServer server = new PartnerSyncServer(config, environment);
    return vertx
        .deployVerticle(server)
        .compose(
            deployed ->
                config
                    .common()
                    .startStatusServer(
                        vertx,
                        SETTINGS.name(),
                        org.dmp.runtime.HealthRoutes.Readiness.ALWAYS,
                        server::routes));
  }
}
