package org.dmp.cli.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.dmp.partner.SamplePartner;
import org.dmp.runtime.MainThread;

/**
 * {@code dmp demo} in its own process, on an embedded broker on disk, with a taxonomy whose segment
 * 5001 goes to a partner in this process (and to {@code downPartners} more that stay down), and the
 * load that drives it from here.
 */
final class ComposedPipeline implements AutoCloseable {
  private static final Duration START = Duration.ofSeconds(60);

  private final ScratchDirectory scratch;
  private final Vertx partners;
  private final Vertx generator;
  private DemoProcess demo;
  private SamplePartner partner;

  private ComposedPipeline(ScratchDirectory scratch) {
    this.scratch = scratch;
    this.partners = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    this.generator = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
  }

  static ComposedPipeline start(String name, int downPartners, PrintWriter out)
      throws IOException, InterruptedException {
    ComposedPipeline pipeline =
        new ComposedPipeline(ScratchDirectory.onDisk("dmp-bench-" + name + "-"));
    try {
      pipeline.startAll(downPartners, out);
      return pipeline;
    } catch (IOException | InterruptedException | RuntimeException failed) {
      pipeline.close();
      throw failed;
    }
  }

  private void startAll(int downPartners, PrintWriter out)
      throws IOException, InterruptedException {
    partner = new SamplePartner(0, Optional.empty(), false, 0);
    MainThread.await(partners.deployVerticle(partner), START, "starting the partner");
    List<String> destinations =
        new ArrayList<>(List.of(PipelineLoad.DESTINATION.formatted(9001, 1, partner.url())));
    for (int i = 0; i < downPartners; i++) {
      SamplePartner down = new SamplePartner(0, Optional.empty(), false, 0);
      MainThread.await(partners.deployVerticle(down), START, "starting a partner");
      MainThread.await(down.goDown(), START, "taking a partner down");
      destinations.add(PipelineLoad.DESTINATION.formatted(9100 + i, i + 2, down.url()));
    }
    Path taxonomy = scratch.resolve("taxonomy.json");
    Files.writeString(
        taxonomy,
        PipelineLoad.TAXONOMY.formatted(String.join(",", destinations)),
        StandardCharsets.UTF_8);
    demo = DemoProcess.start(scratch.resolve("demo"), taxonomy);
    out.printf(
        "dmp demo running as process %d (log %s), data on disk in %s%n",
        demo.pid(), demo.log(), scratch.path());
    out.flush();
  }

  PipelineLoad load(int jsonEvery) {
    return new PipelineLoad(
        generator,
        demo.edgePort(),
        partner,
        jsonEvery,
        ProcessHandle.of(demo.pid()).orElseThrow(),
        new StageBreakdown(demo.services(), demo.operator()));
  }

  @Override
  public void close() throws InterruptedException {
    try {
      if (demo != null) {
        demo.close();
      }
    } finally {
      MainThread.await(generator.close(), START, "closing the generator");
      MainThread.await(partners.close(), START, "closing the partners");
      scratch.close();
    }
  }
}
