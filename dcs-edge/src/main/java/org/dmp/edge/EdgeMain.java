package org.dmp.edge;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.dmp.runtime.RunningService;
import org.dmp.runtime.ServiceMain;

/** Runs the DCS edge: {@code java -jar dcs-edge/target/dcs-edge.jar [--key=value ...]}. */
public final class EdgeMain {
  private EdgeMain() {}

  public static void main(String[] args) {
    ServiceMain.run(EdgeConfig.SETTINGS, args, EdgeConfig::read, EdgeMain::start);
  }

  /**
   * Starts the edge on {@code vertx}, its answers and private traits empty until the qualifier
   * fills them.
   */
  public static Future<RunningService> start(Vertx vertx, EdgeConfig config) {
    EdgeServer server = new EdgeServer(config);
    return vertx
        .deployVerticle(server)
        .map(
            id ->
                new RunningService(
                    EdgeConfig.SETTINGS.name(),
                    server.actualPort(),
                    config.common().http().drainDelay()));
  }
}
