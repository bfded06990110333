package org.dmp.sync;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
    ServiceMain.run(SETTINGS, args, CommonConfig::read, PartnerSyncMain::start);
  }

  /** Starts the service on {@code vertx}: so far its health endpoints; destinations arrive with the partner-sync issues. */
  public static Future<RunningService> start(Vertx vertx, CommonConfig config) {
    return config.startStatusServer(vertx, SETTINGS.name());
  }
}
