package org.dmp.qualifier;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.dmp.config.SettingsSpec;
import org.dmp.runtime.CommonConfig;
import org.dmp.runtime.RunningService;
import org.dmp.runtime.ServiceMain;

/** Runs qualifier: {@code java -jar qualifier/target/qualifier.jar [--key=value ...]}. */
public final class QualifierMain {
  /** Its settings: qualifier.properties, overridable by DMP_ variables and flags. */
  public static final SettingsSpec SETTINGS = CommonConfig.spec("qualifier");

  private QualifierMain() {}

  public static void main(String[] args) {
    ServiceMain.run(SETTINGS, args, CommonConfig::read, QualifierMain::start);
  }

  /** Starts the service on {@code vertx}: so far its health endpoints; the Kafka Streams topology arrives with the qualifier issue. */
  public static Future<RunningService> start(Vertx vertx, CommonConfig config) {
    return config.startStatusServer(vertx, SETTINGS.name());
  }
}
