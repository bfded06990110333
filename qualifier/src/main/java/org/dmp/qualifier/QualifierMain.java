package org.dmp.qualifier;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.dmp.runtime.RunningService;
import org.dmp.runtime.ServiceMain;

/** Runs the qualifier: {@code java -jar qualifier/target/qualifier.jar [--key=value ...]}. */
public final class QualifierMain {
  private QualifierMain() {}

  public static void main(String[] args) {
    ServiceMain.run(QualifierConfig.SETTINGS, args, QualifierConfig::read, QualifierMain::start);
  }

  /** Starts the topology, then the HTTP side: health (ready while the streams run) and the segment query API. */
  public static Future<RunningService> start(Vertx vertx, QualifierConfig config) {
    QualifierVerticle qualifier = new QualifierVerticle(config);
    return vertx.deployVerticle(qualifier).compose(id -> config.common().startStatusServer(vertx, QualifierConfig.SETTINGS.name(),
        qualifier::notRunning, router -> qualifier.segmentQuery().mount(router)));
  }
}
