package org.dmp.cli.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.dmp.cli.TopicsCommand;
import org.dmp.edge.EdgeConfig;
import org.dmp.edge.EdgeServer;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.qualifier.QualifierConfig;
import org.dmp.qualifier.QualifierMain;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.RunningService;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.taxonomy.TaxonomyPublisher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The edge against a bare Vert.x server answering the same GIF, with the same event loops, driven
 * by the same load generator in the same run: the ratio says what collecting costs, the latency at
 * half the edge's throughput what a tag waits for.
 */
@Command(
    name = "edge",
    description = {
      "Measures the edge against a bare Vert.x GIF server with the same event loops, on an embedded broker.",
      "Prints a table, then one JSON line: baseline_rps, edge_rps, ratio, p50_ms_at_half_load, p99_ms_at_half_load."
    })
final class EdgeBench implements Callable<Integer> {
  private static final String URI =
      "/event?c_category=shoes&c_price=42&c_color=red,blue&d_cid=20001%01user-1";
  private static final String JSON = "&d_rtbd=json&d_cts=2";
  private static final Duration HIGHEST = Duration.ofSeconds(60);
  private static final Duration CATCH_UP = Duration.ofMinutes(5);

  @Spec private CommandSpec spec;

  @Option(
      names = "--seconds",
      description = "Length of each measured phase (default: ${DEFAULT-VALUE}).",
      defaultValue = "10")
  private int seconds;

  @Option(
      names = "--warm-up",
      description = {
        "Seconds of full load before each target is measured (default: ${DEFAULT-VALUE}).",
        "Long enough for the JIT compiler to finish with the edge, the producer and the broker: after 5 s it still takes",
        "a sixth of the machine."
      },
      defaultValue = "20")
  private int warmUpSeconds;

  @Option(
      names = "--broker-storage",
      description = {
        "Where the embedded broker keeps its log: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
        "memory (/dev/shm) measures the edge, not this machine's disk: the broker's file syncs (its metadata log every",
        "half second) otherwise stall writes on the disk the edge's machine shares with it for up to 70 ms."
      },
      defaultValue = "memory")
  private BrokerStorage brokerStorage;

  enum BrokerStorage {
    memory,
    disk
  }

  @Option(
      names = "--connections",
      description = {
        "Concurrent calls of the throughput phase (default: ${DEFAULT-VALUE}).",
        "Enough that the edge's few milliseconds per call, not the callers, bound its throughput."
      },
      defaultValue = "256")
  private int connections;

  @Option(
      names = "--event-loops",
      description = {
        "Event loops of both servers (default: the cores).",
        "Not Vert.x's twice the cores: the broker and the load generator run on the same machine."
      })
  private Integer eventLoops;

  @Option(
      names = "--answers",
      description = {
        "Run the edge as deployed: with the qualifier (same process) and the sample taxonomy,",
        "and every --json-every-th call of the half-load phase asking for the same-hit JSON answer. Reports the fresh",
        "fraction and latency of those answers, and the pixels' latency apart."
      })
  private boolean answers;

  @Option(
      names = "--json-every",
      paramLabel = "N",
      description =
          "With --answers: every Nth half-load call asks for JSON (default: ${DEFAULT-VALUE}).",
      defaultValue = "10")
  private int jsonEvery;

  @Override
  public Integer call() throws Exception {
    int loops = eventLoops == null ? Runtime.getRuntime().availableProcessors() : eventLoops;
    Duration phase = Duration.ofSeconds(seconds);
    PrintWriter out = spec.commandLine().getOut();
    if (seconds < 1 || warmUpSeconds < 0 || connections < 1 || jsonEvery < 1) {
      throw new ParameterException(
          spec.commandLine(),
          "--seconds, --connections and --json-every must be at least 1, --warm-up at least 0");
    }
    try (ScratchDirectory scratch =
            brokerStorage == BrokerStorage.memory
                ? ScratchDirectory.inMemoryIfPossible("dmp-bench-edge-")
                : ScratchDirectory.onDisk("dmp-bench-edge-");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(scratch.path(), 0, Map.of())) {
      Vertx servers = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
      Vertx generator = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
      try {
        run(broker, scratch, servers, generator, loops, phase, out);
      } finally {
        // While the broker still runs: the qualifier's streams commit and leave against it as they
        // close.
        MainThread.await(generator.close(), Duration.ofSeconds(30), "closing the generator");
        MainThread.await(servers.close(), Duration.ofSeconds(60), "closing the servers");
      }
    }
    return 0;
  }

  private void run(
      EmbeddedKafkaBroker broker,
      ScratchDirectory scratch,
      Vertx servers,
      Vertx generator,
      int loops,
      Duration phase,
      PrintWriter out)
      throws Exception {
    String storage = scratch.inMemory() ? "memory" : "disk";
    out.printf("broker log in %s (%s)%n", scratch.path(), storage);
    Topics topics = TopicsCommand.configured(System.getenv());
    TopicsCommand.createMissing(topics, KafkaClients.of(broker.bootstrapServers()));

    int baselinePort = deployBaseline(servers, loops);
    Optional<String> qualifierUrl =
        answers
            ? Optional.of(startQualifier(servers, broker.bootstrapServers(), topics, scratch))
            : Optional.empty();
    int edgePort = deployEdge(servers, loops, broker.bootstrapServers(), qualifierUrl);

    Measured baseline = measure(generator, baselinePort, phase, out, "baseline", false);
    Measured edge = measure(generator, edgePort, phase, out, "edge", answers);

    out.println();
    out.printf(
        "%-10s %12s %10s %10s %10s %10s%n",
        "target", "max rps", "rate", "p50 ms", "p99 ms", "p99.9 ms");
    for (Measured measured : List.of(baseline, edge)) {
      out.printf(
          "%-10s %12.0f %10.0f %10.2f %10.2f %10.2f%n",
          measured.name,
          measured.maxRps,
          measured.halfLoadRate,
          measured.halfLoad.millisAt(50),
          measured.halfLoad.millisAt(99),
          measured.halfLoad.millisAt(99.9));
    }
    JsonObject summary =
        new JsonObject()
            .put("baseline_rps", Math.round(baseline.maxRps))
            .put("edge_rps", Math.round(edge.maxRps))
            .put("ratio", Math.round(edge.maxRps / baseline.maxRps * 1000) / 1000.0)
            .put("half_load_rps", Math.round(edge.halfLoadRate))
            .put("p50_ms_at_half_load", round(edge.halfLoad.millisAt(50)))
            .put("p99_ms_at_half_load", round(edge.halfLoad.millisAt(99)))
            .put("p999_ms_at_half_load", round(edge.halfLoad.millisAt(99.9)))
            .put("answers", answers)
            .put("failed", baseline.failed + edge.failed)
            .put("event_loops", loops)
            .put("broker_storage", storage)
            .put("warm_up_seconds", warmUpSeconds)
            .put("seconds", seconds);
    if (answers) {
      out.printf(
          "edge at half load: pixels p99 %.2f ms; %d JSON answers, %.2f%% fresh, p50 %.2f ms, p99 %.2f ms%n",
          LoadGenerator.millis(edge.pixels, 99),
          edge.json.getTotalCount(),
          edge.freshFraction() * 100,
          LoadGenerator.millis(edge.json, 50),
          LoadGenerator.millis(edge.json, 99));
      summary
          .put("p99_ms_pixels_at_half_load", round(LoadGenerator.millis(edge.pixels, 99)))
          .put("json_answers_at_half_load", edge.json.getTotalCount())
          .put("fresh_fraction_at_half_load", Math.round(edge.freshFraction() * 10_000) / 10_000.0)
          .put("p50_answer_ms_at_half_load", round(LoadGenerator.millis(edge.json, 50)))
          .put("p99_answer_ms_at_half_load", round(LoadGenerator.millis(edge.json, 99)));
    }
    out.println(summary.encode());
    out.flush();
  }

  /**
   * A target's figures; {@code pixels} and {@code json} split the half-load phase's latency when
   * answers are asked for.
   */
  private record Measured(
      String name,
      double maxRps,
      double halfLoadRate,
      LoadGenerator.Result halfLoad,
      long failed,
      Histogram pixels,
      Histogram json,
      long fresh) {
    double freshFraction() {
      return json.getTotalCount() == 0 ? 1 : (double) fresh / json.getTotalCount();
    }
  }

  private Measured measure(
      Vertx generator, int port, Duration phase, PrintWriter out, String name, boolean withAnswers)
      throws InterruptedException {
    try (LoadGenerator load = new LoadGenerator(generator, port, URI, connections)) {
      Duration limit = phase.multipliedBy(3).plusSeconds(60);
      if (warmUpSeconds > 0) {
        MainThread.await(
            load.closedLoop(Duration.ofSeconds(warmUpSeconds)),
            limit.plusSeconds(warmUpSeconds),
            name + " warm-up");
      }
      LoadGenerator.Result max =
          MainThread.await(load.closedLoop(phase), limit, name + " throughput");
      out.printf(
          "%s: %.0f calls/s with %d in flight (%d failed)%n",
          name, max.perSecond(), connections, max.failed());
      out.flush();
      if (withAnswers) {
        awaitQualifierCaughtUp(generator, port, out);
      }
      double rate = max.perSecond() / 2;
      Histogram pixels = new ConcurrentHistogram(HIGHEST.toNanos(), 3);
      Histogram json = new ConcurrentHistogram(HIGHEST.toNanos(), 3);
      AtomicLong fresh = new AtomicLong();
      LoadGenerator.Result half =
          MainThread.await(
              load.openLoop(
                  rate,
                  phase,
                  call -> withAnswers && call % jsonEvery == 0 ? URI + JSON : URI,
                  (call, ok, latency, body) -> {
                    boolean asked = withAnswers && call % jsonEvery == 0;
                    (asked ? json : pixels).recordValue(Math.min(HIGHEST.toNanos(), latency));
                    if (asked && ok && !body.toString().contains("\"stale\":true")) {
                      fresh.incrementAndGet();
                    }
                  }),
              limit,
              name + " half load");
      out.printf(
          "%s: at %.0f calls/s p50 %.2f ms, p99 %.2f ms (%d failed)%n",
          name, rate, half.millisAt(50), half.millisAt(99), half.failed());
      out.flush();
      return new Measured(
          name,
          max.perSecond(),
          rate,
          half,
          max.failed() + half.failed(),
          pixels,
          json,
          fresh.get());
    }
  }

  /**
   * The throughput phase writes far more than the qualifier processes meanwhile on the same cores:
   * the half-load phase starts once it has caught up, i.e. once a JSON answer is fresh.
   */
  private static void awaitQualifierCaughtUp(Vertx generator, int port, PrintWriter out)
      throws InterruptedException {
    long started = System.nanoTime();
    try (LoadGenerator probe = new LoadGenerator(generator, port, URI + JSON, 1)) {
      while (System.nanoTime() - started < CATCH_UP.toNanos()) {
        AtomicLong fresh = new AtomicLong();
        MainThread.await(
            probe.openLoop(
                10,
                Duration.ofSeconds(1),
                call -> URI + JSON,
                (call, ok, latency, body) -> {
                  if (ok && !body.toString().contains("\"stale\":true")) {
                    fresh.incrementAndGet();
                  }
                }),
            CATCH_UP,
            "probing the qualifier");
        if (fresh.get() == 10) {
          out.printf("qualifier caught up after %.1f s%n", (System.nanoTime() - started) / 1e9);
          out.flush();
          return;
        }
      }
    }
    out.printf("qualifier still behind after %d s; measuring anyway%n", CATCH_UP.toSeconds());
  }

  private static int deployBaseline(Vertx vertx, int loops) throws InterruptedException {
    List<BareGifServer> deployed = new CopyOnWriteArrayList<>();
    MainThread.await(
        vertx.deployVerticle(
            () -> {
              // -2: a random port shared by these instances only (the edge asked for port 0 takes
              // -1).
              BareGifServer server = new BareGifServer(-2);
              deployed.add(server);
              return server;
            },
            new DeploymentOptions().setInstances(loops)),
        Duration.ofSeconds(30),
        "starting the baseline");
    return deployed.get(0).actualPort();
  }

  /** The edge asks the qualifier with the token the demo would give them both. */
  private static final String OPERATOR_TOKEN = "--operator.token=" + java.util.UUID.randomUUID();

  /** The qualifier as the demo runs it, with the sample taxonomy; returns its query API's URL. */
  private static String startQualifier(
      Vertx vertx, String bootstrap, Topics topics, ScratchDirectory scratch) throws Exception {
    TaxonomyPublisher.apply(
        KafkaClients.of(bootstrap),
        topics.taxonomy(),
        TaxonomyFile.sample(),
        TaxonomyFile.SAMPLE,
        Clock.systemUTC());
    return "http://127.0.0.1:"
        + startQualifier(vertx, qualifierConfig(bootstrap, scratch)).httpPort();
  }

  /** The qualifier's settings as the demo has them, on {@code bootstrap}, its state in scratch. */
  static QualifierConfig qualifierConfig(String bootstrap, ScratchDirectory scratch) {
    return QualifierConfig.SETTINGS.read(
        System.getenv(),
        List.of(
            "--kafka.bootstrap=" + bootstrap,
            "--http.host=127.0.0.1",
            "--http.port=0",
            OPERATOR_TOKEN,
            "--qualifier.state-dir=" + scratch.resolve("qualifier")),
        QualifierConfig::read);
  }

  static RunningService startQualifier(Vertx vertx, QualifierConfig config)
      throws InterruptedException {
    return MainThread.await(
        QualifierMain.start(vertx, config), Duration.ofSeconds(60), "starting the qualifier");
  }

  private static int deployEdge(
      Vertx vertx, int loops, String bootstrap, Optional<String> qualifierUrl)
      throws InterruptedException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--kafka.bootstrap=" + bootstrap,
                "--http.host=127.0.0.1",
                "--http.port=0",
                OPERATOR_TOKEN,
                "--http.instances=" + loops,
                // Kafka is up while it runs: no opt-out waits, in a journal or otherwise.
                "--optout.journal-dir="));
    qualifierUrl.ifPresent(url -> args.add("--answers.qualifier-url=" + url));
    EdgeConfig config = EdgeConfig.SETTINGS.read(System.getenv(), args, EdgeConfig::read);
    EdgeServer edge = new EdgeServer(config);
    MainThread.await(vertx.deployVerticle(edge), Duration.ofSeconds(60), "starting the edge");
    return edge.actualPort();
  }

  private static double round(double millis) {
    return Math.round(millis * 100) / 100.0;
  }
}
