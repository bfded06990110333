package org.dmp.sync;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.RunningService;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Partner sync started in a Vert.x of its own and stopped in {@code afterEach}: before JUnit
 * deletes a test's temporary folders, so no destination still writes its spool into one.
 */
final class PartnerSyncUnderTest implements AfterEachCallback {
  private static final Duration START = Duration.ofSeconds(60);
  private final List<Vertx> instances = new ArrayList<>();

  RunningService start(SyncFixture fixture, Map<String, String> environment)
      throws InterruptedException {
    Vertx vertx = Vertx.vertx();
    instances.add(vertx);
    return MainThread.await(
        PartnerSyncMain.start(
            vertx, fixture.config, name -> Optional.ofNullable(environment.get(name))),
        START,
        "starting partner sync");
  }

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    for (Vertx vertx : instances) {
      MainThread.await(vertx.close(), START, "stopping partner sync");
    }
    instances.clear();
  }
}
