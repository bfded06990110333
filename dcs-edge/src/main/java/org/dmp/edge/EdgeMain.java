package org.dmp.edge;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.dmp.config.SettingsSpec;
import org.dmp.runtime.CommonConfig;
import org.dmp.runtime.RunningService;
import org.dmp.runtime.ServiceMain;

/** Runs dcs-edge: {@code java -jar dcs-edge/target/dcs-edge.jar [--key=value ...]}. */
public final class EdgeMain {
  /** Its settings: dcs-edge.properties, overridable by DMP_ variables and flags. */
  public static final SettingsSpec SETTINGS = CommonConfig.spec("dcs-edge");

  private EdgeMain() {}

  public static void main(String[] args) {
    ServiceMain.run(SETTINGS, args, CommonConfig::read, EdgeMain::start);
  }

  /** Starts the service on {@code vertx}: so far its health endpoints; collection (/event, /ibs, /demoptout.jpg) arrives with the edge issue. */
  public static Future<RunningService> start(Vertx vertx, CommonConfig config) {
    return config.startStatusServer(vertx, SETTINGS.name());
  }
}
