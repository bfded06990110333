package org.dmp.cli;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.dmp.partner.SamplePartner;
import org.dmp.runtime.MainThread;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Sample partners, each in a Vert.x of its own, stopped as each test ends. */
final class SamplePartners implements AfterEachCallback {
  private final List<Vertx> started = new ArrayList<>();

  /** A partner that accepts every delivery, on a free port. */
  SamplePartner start() throws InterruptedException {
    Vertx vertx = Vertx.vertx();
    started.add(vertx);
    SamplePartner partner = new SamplePartner(0, Optional.empty(), false);
    MainThread.await(vertx.deployVerticle(partner), Composition.START, "starting the partner");
    return partner;
  }

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    for (Vertx vertx : started) {
      MainThread.await(vertx.close(), Composition.START, "stopping the partner");
    }
    started.clear();
  }
}
