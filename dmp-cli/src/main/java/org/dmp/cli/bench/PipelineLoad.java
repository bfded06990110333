package org.dmp.cli.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.dmp.partner.SamplePartner;
import org.dmp.runtime.MainThread;

/**
 * Load for the whole pipeline: calls at a constant rate, each from a new visitor who qualifies for
 * segment 5001 (mapped to a partner in this process, see {@link #TAXONOMY}), every {@code
 * jsonEvery}-th asking for the same-hit JSON answer. Measures each visitor from the edge's
 * acknowledgement to the partner's receipt, and the freshness and latency of the JSON answers.
 */
final class PipelineLoad {
  /** The taxonomy the composition runs with; {@code %s} are its destinations. */
  static final String TAXONOMY =
      """
      {"dataSources": [{"id": 1, "name": "Site tags"}, {"id": 20001, "name": "Partner ids"}],
       "traits": [{"id": 101, "name": "Shoe page viewer", "dataSource": 1, "type": "rule", "rule": "c_category == \\"shoes\\""}],
       "segments": [{"id": 5001, "name": "Shoe viewers", "rule": "[101T]"}],
       "destinations": [%s]}""";

  static final String DESTINATION =
      """
      {"id": %d, "name": "Local partner %d", "type": "http", "dataSource": 20001, "url": "%s", "mappings": {"5001": "5001"}}""";
  private static final Duration HIGHEST = Duration.ofMinutes(10);

  private final Vertx generator;
  private final int edgePort;
  private final int jsonEvery;
  private final ProcessHandle composition;
  private final StageBreakdown stages;
  private final AtomicReference<Arrivals> current = new AtomicReference<>();
  private int steps;

  /**
   * @param partner the partner the taxonomy's destination posts to
   * @param composition the process running the services, whose CPU time each step reports
   * @param stages reads where each step's delivery time went
   */
  PipelineLoad(
      Vertx generator,
      int edgePort,
      SamplePartner partner,
      int jsonEvery,
      ProcessHandle composition,
      StageBreakdown stages) {
    this.generator = generator;
    this.edgePort = edgePort;
    this.jsonEvery = jsonEvery;
    this.composition = composition;
    this.stages = stages;
    partner.onReceived(
        received -> {
          Arrivals arrivals = current.get();
          if (arrivals != null && received.status() == 200) {
            received
                .visitorIds()
                .forEach(visitor -> arrivals.received(visitor, received.atNanos()));
          }
        });
  }

  /** What one step measured. */
  record Step(
      double rate,
      int seconds,
      long sent,
      long acked,
      long failed,
      double acceptedPerSecond,
      long delivered,
      long lost,
      long duplicates,
      Histogram endToEnd,
      double edgeP99Millis,
      long jsonAnswers,
      long fresh,
      Histogram answers,
      double cpuCores,
      JsonObject stages) {
    double freshFraction() {
      return jsonAnswers == 0 ? 1 : (double) fresh / jsonAnswers;
    }

    JsonObject toJson() {
      return new JsonObject()
          .put("rate", Math.round(rate))
          .put("seconds", seconds)
          .put("sent", sent)
          .put("acked", acked)
          .put("failed", failed)
          .put("accepted_eps", Math.round(acceptedPerSecond))
          .put("delivered", delivered)
          .put("lost", lost)
          .put("duplicates", duplicates)
          .put("p50_ms", millis(endToEnd, 50))
          .put("p99_ms", millis(endToEnd, 99))
          .put("p999_ms", millis(endToEnd, 99.9))
          .put("edge_p99_ms", Math.round(edgeP99Millis * 10) / 10.0)
          .put("json_answers", jsonAnswers)
          .put("fresh_fraction", Math.round(freshFraction() * 10_000) / 10_000.0)
          .put("p50_answer_ms", millis(answers, 50))
          .put("p99_answer_ms", millis(answers, 99))
          .put("cpu_cores", Math.round(cpuCores * 100) / 100.0)
          .put("stages", stages);
    }

    String line() {
      return String.format(
          "%8.0f %9.0f %8d %6d %6d %5d %8.1f %8.1f %9.1f %8.4f %9.1f %6.2f",
          rate,
          acceptedPerSecond,
          acked,
          failed,
          lost,
          duplicates,
          millis(endToEnd, 50),
          millis(endToEnd, 99),
          millis(endToEnd, 99.9),
          freshFraction(),
          millis(answers, 99),
          cpuCores);
    }

    static String header() {
      return String.format(
          "%8s %9s %8s %6s %6s %5s %8s %8s %9s %8s %9s %6s",
          "rate",
          "accepted",
          "acked",
          "failed",
          "lost",
          "dup",
          "p50 ms",
          "p99 ms",
          "p99.9 ms",
          "fresh",
          "ans p99",
          "cores");
    }
  }

  /**
   * Sends {@code rate} calls a second for {@code seconds}, then waits until every acknowledged
   * visitor has reached the partner or none has arrived for {@code drain}.
   */
  Step run(double rate, int seconds, Duration drain, PrintWriter out) throws InterruptedException {
    String prefix = Integer.toString(++steps);
    int calls = Math.toIntExact(Math.round(rate * seconds));
    Arrivals arrivals = new Arrivals(prefix, calls);
    current.set(arrivals);
    AtomicLongArray ackedAt = new AtomicLongArray(calls);
    Histogram answers = histogram();
    AtomicLong json = new AtomicLong();
    AtomicLong fresh = new AtomicLong();
    StageBreakdown.Snapshot stagesBefore = stages.snapshot();
    Duration cpuBefore = cpu();
    long started = System.nanoTime();
    LoadGenerator.Result sent;
    try (LoadGenerator load = new LoadGenerator(generator, edgePort, "/", 512)) {
      sent =
          MainThread.await(
              load.openLoop(
                  rate,
                  Duration.ofSeconds(seconds),
                  call -> uri(prefix, call),
                  (call, ok, latency, body) -> {
                    if (ok) {
                      ackedAt.set((int) call, System.nanoTime());
                    }
                    if (isJson(call)) {
                      json.incrementAndGet();
                      answers.recordValue(Math.min(HIGHEST.toNanos(), latency));
                      if (ok
                          && !body.toString().contains("\"stale\":true")
                          && body.toString().contains("\"segments\":[5001")) {
                        fresh.incrementAndGet();
                      }
                    }
                  }),
              Duration.ofSeconds(seconds).multipliedBy(3).plusSeconds(60),
              "step at " + Math.round(rate) + "/s");
    }
    double cpuCores = cpu().minus(cpuBefore).toNanos() / (double) (System.nanoTime() - started);
    awaitDeliveries(arrivals, sent.answered(), drain);
    current.set(null);
    JsonObject stageFigures = stages.snapshot().since(stagesBefore);

    Histogram endToEnd = histogram();
    long lost = 0;
    for (int call = 0; call < calls; call++) {
      long ack = ackedAt.get(call);
      long arrived = arrivals.at.get(call);
      if (ack != 0 && arrived == 0) {
        lost++;
      } else if (ack != 0) {
        endToEnd.recordValue(Math.min(HIGHEST.toNanos(), Math.max(0, arrived - ack)));
      }
    }
    Step step =
        new Step(
            rate,
            seconds,
            calls,
            sent.answered(),
            sent.failed(),
            sent.perSecond(),
            arrivals.delivered.get(),
            lost,
            arrivals.duplicates.get(),
            endToEnd,
            sent.millisAt(99),
            json.get(),
            fresh.get(),
            answers,
            cpuCores,
            stageFigures);
    out.println(step.line());
    out.println(StageBreakdown.line(stageFigures));
    out.flush();
    return step;
  }

  private boolean isJson(long call) {
    return jsonEvery > 0 && call % jsonEvery == 0;
  }

  private String uri(String prefix, long call) {
    String visitor = prefix + String.format("%09d", call);
    return "/event?c_category=shoes&d_uuid="
        + visitor
        + "&d_cid=20001%01p"
        + visitor
        + (isJson(call) ? "&d_rtbd=json&d_cts=2" : "");
  }

  /** CPU time of the composition so far. */
  private Duration cpu() {
    return composition.info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** What the partner has received of one step's visitors. */
  private static final class Arrivals {
    final String prefix;
    final AtomicLongArray at;
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();

    Arrivals(String prefix, int calls) {
      this.prefix = prefix;
      this.at = new AtomicLongArray(calls);
    }

    void received(String visitor, long atNanos) {
      // Visitor ids are the prefix and nine digits: another step's have another length or prefix.
      if (visitor.length() != prefix.length() + 9 || !visitor.startsWith(prefix)) {
        return;
      }
      if (at.compareAndSet(Integer.parseInt(visitor.substring(prefix.length())), 0, atNanos)) {
        delivered.incrementAndGet();
      } else {
        duplicates.incrementAndGet();
      }
    }
  }

  private static void awaitDeliveries(Arrivals arrivals, long acked, Duration drain)
      throws InterruptedException {
    long lastCount = -1;
    long lastProgress = System.nanoTime();
    while (arrivals.delivered.get() < acked && System.nanoTime() - lastProgress < drain.toNanos()) {
      if (arrivals.delivered.get() != lastCount) {
        lastCount = arrivals.delivered.get();
        lastProgress = System.nanoTime();
      }
      Thread.sleep(50);
    }
  }

  private static Histogram histogram() {
    return new ConcurrentHistogram(HIGHEST.toNanos(), 3);
  }

  /** A percentile in milliseconds, to a tenth. */
  static double millis(Histogram histogram, double percentile) {
    return Math.round(LoadGenerator.millis(histogram, percentile) * 10) / 10.0;
  }
}
