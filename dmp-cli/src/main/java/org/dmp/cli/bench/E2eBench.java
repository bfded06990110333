package org.dmp.cli.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;
import org.dmp.cli.TopicsCommand;
import org.dmp.edge.EdgeConfig;
import org.dmp.edge.EdgeMain;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.qualifier.QualifierConfig;
import org.dmp.qualifier.QualifierMain;
import org.dmp.qualifier.taxonomy.TaxonomyFile;
import org.dmp.qualifier.taxonomy.TaxonomyPublisher;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.RunningService;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;
import org.dmp.sync.PartnerSyncConfig;
import org.dmp.sync.PartnerSyncMain;
import org.dmp.sync.partner.SamplePartner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The whole pipeline, from a tag call to a partner: the edge driven at a constant rate with calls
 * that each qualify a new visitor for a segment mapped to a local partner endpoint, and the time
 * from the edge's acknowledgement to the partner's receipt of that visitor.
 */
@Command(name = "e2e", description = {
    "Drives the edge at a constant rate with events that qualify a segment mapped to a local real-time partner, with",
    "the qualifier and partner sync between them on an embedded broker, and measures from each call's acknowledgement",
    "to the partner's receipt. Prints a table, then one JSON line: rate, sent, acked, delivered, lost, duplicates,",
    "p50_ms, p99_ms, p999_ms."})
final class E2eBench implements Callable<Integer> {
  private static final Duration START = Duration.ofSeconds(120);
  private static final String WARM_UP_PREFIX = "1";
  private static final String MEASURED_PREFIX = "2";
  private static final String TAXONOMY = """
      {"dataSources": [{"id": 1, "name": "Site tags"}, {"id": 20001, "name": "Partner ids"}],
       "traits": [{"id": 101, "name": "Shoe page viewer", "dataSource": 1, "type": "rule", "rule": "c_category == \\"shoes\\""}],
       "segments": [{"id": 5001, "name": "Shoe viewers", "rule": "[101T]"}],
       "destinations": [%s]}""";
  private static final String DESTINATION = """
      {"id": %d, "name": "Local partner %d", "type": "http", "dataSource": 20001, "url": "%s", "mappings": {"5001": "5001"}}""";

  @Spec
  private CommandSpec spec;

  @Option(names = "--rate", description = "Calls per second (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
  private int rate;

  @Option(names = "--seconds", description = "Length of the measured run (default: ${DEFAULT-VALUE}).", defaultValue = "30")
  private int seconds;

  @Option(names = "--warm-up", paramLabel = "SECONDS", description = "Unmeasured run first, at the same rate (default: ${DEFAULT-VALUE}).",
      defaultValue = "5")
  private int warmUpSeconds;

  @Option(names = "--down-partners", paramLabel = "N", description = {"More destinations mapped to the same segment, at",
      "partners that are down throughout: the measured partner's latency should not change (default: ${DEFAULT-VALUE})."},
      defaultValue = "0")
  private int downPartners;

  @Option(names = "--drain", paramLabel = "SECONDS", description = {"After the last call, how long to wait without any new delivery",
      "before counting what has not arrived as lost (default: ${DEFAULT-VALUE})."}, defaultValue = "30")
  private int drainSeconds;

  @Override
  public Integer call() throws Exception {
    if (rate < 1 || seconds < 1 || warmUpSeconds < 0 || drainSeconds < 1 || downPartners < 0) {
      throw new ParameterException(spec.commandLine(), "--rate, --seconds and --drain must be at least 1, --warm-up and --down-partners at least 0");
    }
    PrintWriter out = spec.commandLine().getOut();
    Vertx services = Vertx.vertx();
    Vertx generator = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    try (ScratchDirectory scratch = ScratchDirectory.onDisk("dmp-bench-e2e-");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(scratch.resolve("kafka"), 0, Map.of())) {
      Path dataDir = scratch.path();
      try {
        run(broker.bootstrapServers(), dataDir, services, generator, out);
      } finally {
        // The services first: they commit and flush to the broker as they stop.
        MainThread.await(generator.close(), Duration.ofSeconds(30), "closing the generator");
        MainThread.await(services.close(), Duration.ofSeconds(60), "closing the services");
      }
    }
    return 0;
  }

  /** What the partner has received of the measured calls' visitors. */
  private static final class Arrivals {
    final AtomicLongArray at;
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();

    Arrivals(int calls) {
      at = new AtomicLongArray(calls);
    }

    void received(SamplePartner.Received received) {
      if (received.status() != 200) {
        return;
      }
      for (String visitor : received.visitorIds()) {
        if (visitor.startsWith(MEASURED_PREFIX)) {
          if (at.compareAndSet(Integer.parseInt(visitor.substring(1)), 0, received.atNanos())) {
            delivered.incrementAndGet();
          } else {
            duplicates.incrementAndGet();
          }
        }
      }
    }
  }

  private void run(String bootstrap, Path dataDir, Vertx services, Vertx generator, PrintWriter out) throws Exception {
    int calls = Math.toIntExact((long) rate * seconds);
    Arrivals arrivals = new Arrivals(calls);
    int edgePort = startPipeline(bootstrap, dataDir, services, arrivals);
    AtomicLongArray ackedAt = new AtomicLongArray(calls);
    try (LoadGenerator load = new LoadGenerator(generator, edgePort, "/", 512)) {
      Duration limit = Duration.ofSeconds(seconds + warmUpSeconds).multipliedBy(3).plusSeconds(60);
      if (warmUpSeconds > 0) {
        MainThread.await(load.openLoop(rate, Duration.ofSeconds(warmUpSeconds), call -> uri(WARM_UP_PREFIX, call), (call, ok) -> { }),
            limit, "warming up");
        out.printf("warm-up: %d s at %d calls/s%n", warmUpSeconds, rate);
      }
      LoadGenerator.Result sent = MainThread.await(load.openLoop(rate, Duration.ofSeconds(seconds), call -> uri(MEASURED_PREFIX, call),
          (call, ok) -> {
            if (ok) {
              ackedAt.set((int) call, System.nanoTime());
            }
          }), limit, "the measured run");
      out.printf("sent %d calls in %.1f s: %d acknowledged, %d failed; edge p99 %.2f ms%n", calls, sent.elapsed().toNanos() / 1e9,
          sent.answered(), sent.failed(), sent.millisAt(99));
      out.flush();
      awaitDeliveries(arrivals.delivered, sent.answered(), out);
      report(calls, sent.answered(), ackedAt, arrivals, out);
    }
  }

  /** The partner, the taxonomy mapping segment 5001 to it, and the three services; returns the edge's port. */
  private int startPipeline(String bootstrap, Path dataDir, Vertx services, Arrivals arrivals) throws Exception {
    Map<String, String> env = System.getenv();
    Topics topics = TopicsCommand.configured(env);
    TopicsCommand.createMissing(topics, bootstrap);
    SamplePartner partner = new SamplePartner(0, Optional.empty(), false);
    MainThread.await(services.deployVerticle(partner), START, "starting the partner");
    partner.onReceived(arrivals::received);
    List<String> destinations = new java.util.ArrayList<>(List.of(DESTINATION.formatted(9001, 1, partner.url())));
    for (int i = 0; i < downPartners; i++) {
      SamplePartner down = new SamplePartner(0, Optional.empty(), false);
      MainThread.await(services.deployVerticle(down), START, "starting a partner");
      MainThread.await(down.goDown(), START, "taking a partner down");
      destinations.add(DESTINATION.formatted(9100 + i, i + 2, down.url()));
    }
    TaxonomyPublisher.apply(bootstrap, topics.name(TopicRole.TAXONOMY),
        TaxonomyFile.parse("bench", TAXONOMY.formatted(String.join(",", destinations))), "bench", Clock.systemUTC());
    List<String> kafka = List.of("--kafka.bootstrap=" + bootstrap, "--http.host=127.0.0.1", "--http.port=0");
    MainThread.await(QualifierMain.start(services, QualifierConfig.SETTINGS.read(env,
        concat(kafka, "--qualifier.state-dir=" + dataDir.resolve("qualifier")), QualifierConfig::read)), START, "starting the qualifier");
    MainThread.await(PartnerSyncMain.start(services, PartnerSyncMain.SETTINGS.read(env, kafka, PartnerSyncConfig::read)), START,
        "starting partner sync");
    RunningService edge = MainThread.await(EdgeMain.start(services, EdgeConfig.SETTINGS.read(env, kafka, EdgeConfig::read)), START,
        "starting the edge");
    return edge.httpPort();
  }

  private void report(int calls, long acked, AtomicLongArray ackedAt, Arrivals arrivals, PrintWriter out) {
    Histogram latency = new Histogram(Duration.ofMinutes(10).toNanos(), 3);
    long lost = 0;
    for (int call = 0; call < calls; call++) {
      long ack = ackedAt.get(call);
      long arrived = arrivals.at.get(call);
      if (ack != 0 && arrived == 0) {
        lost++;
      } else if (ack != 0) {
        latency.recordValue(Math.min(latency.getHighestTrackableValue(), Math.max(0, arrived - ack)));
      }
    }
    out.println();
    out.printf("%-8s %8s %8s %10s %6s %11s %8s %8s %9s%n", "rate", "sent", "acked", "delivered", "lost", "duplicates", "p50 ms", "p99 ms",
        "p99.9 ms");
    out.printf("%-8d %8d %8d %10d %6d %11d %8.1f %8.1f %9.1f%n", rate, calls, acked, arrivals.delivered.get(), lost,
        arrivals.duplicates.get(), millis(latency, 50), millis(latency, 99), millis(latency, 99.9));
    out.println(new JsonObject()
        .put("rate", rate).put("sent", calls).put("acked", acked).put("delivered", arrivals.delivered.get()).put("lost", lost)
        .put("duplicates", arrivals.duplicates.get()).put("p50_ms", millis(latency, 50)).put("p99_ms", millis(latency, 99))
        .put("p999_ms", millis(latency, 99.9)).put("seconds", seconds).put("down_partners", downPartners).encode());
    out.flush();
  }

  /** Waits until every acknowledged call's visitor has arrived, or no new one has for the drain time. */
  private void awaitDeliveries(AtomicLong delivered, long acked, PrintWriter out) throws InterruptedException {
    long lastCount = -1;
    long lastProgress = System.nanoTime();
    while (delivered.get() < acked && System.nanoTime() - lastProgress < Duration.ofSeconds(drainSeconds).toNanos()) {
      if (delivered.get() != lastCount) {
        lastCount = delivered.get();
        lastProgress = System.nanoTime();
      }
      Thread.sleep(50);
    }
    out.printf("delivered %d of %d acknowledged%n", delivered.get(), acked);
  }

  private static String uri(String prefix, long call) {
    String visitor = prefix + String.format("%09d", call);
    return "/event?c_category=shoes&d_uuid=" + visitor + "&d_cid=20001%01p" + visitor;
  }

  private static double millis(Histogram histogram, double percentile) {
    return histogram.getTotalCount() == 0 ? 0 : Math.round(histogram.getValueAtPercentile(percentile) / 1e5) / 10.0;
  }

  private static List<String> concat(List<String> list, String more) {
    return java.util.stream.Stream.concat(list.stream(), java.util.stream.Stream.of(more)).toList();
  }
}
