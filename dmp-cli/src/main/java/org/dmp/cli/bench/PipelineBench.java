package org.dmp.cli.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The highest rate the composition users run sustains end to end on this machine: {@code dmp demo}
 * in its own process, driven at constant rates raised step by step until one cannot be kept up.
 */
@Command(
    name = "pipeline",
    description = {
      "Runs dmp demo in its own process (broker on disk) and drives it at constant rates, step by step, each call a new",
      "visitor qualifying for a segment mapped to a real-time partner in this process, every Nth asking for the JSON answer.",
      "A step is kept up when the edge answered every call, the last within 1 s (or 5%%) of the step's end, nothing was lost,",
      "and p99 tag-to-partner is within --max-p99-ms. Stops at the first step that is not, runs one more at half the highest kept",
      "up, and ends with one JSON line: max_sustained_eps, p99_e2e_ms_at_max, fresh_fraction_at_half, p99_answer_ms_at_half, lost, duplicates."
    })
final class PipelineBench implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = "--steps",
      split = ",",
      paramLabel = "RATES",
      description = "Calls per second of each step (default: ${DEFAULT-VALUE}).",
      defaultValue = "1000,2000,5000,10000,15000,20000,30000")
  private List<Integer> rates;

  @Option(
      names = "--seconds",
      description = "Length of each step (default: ${DEFAULT-VALUE}).",
      defaultValue = "20")
  private int seconds;

  @Option(
      names = "--warm-up",
      paramLabel = "SECONDS",
      description = {
        "Unmeasured run first, at the first step's rate (default: ${DEFAULT-VALUE}).",
        "Long enough for the composition's JIT compiler, which keeps a core busy for over a minute at 1,000 calls/s."
      },
      defaultValue = "60")
  private int warmUpSeconds;

  @Option(
      names = "--json-every",
      paramLabel = "N",
      description = "Every Nth call asks for the JSON answer; 0: none (default: ${DEFAULT-VALUE}).",
      defaultValue = "10")
  private int jsonEvery;

  @Option(
      names = "--max-p99-ms",
      description =
          "A step whose p99 tag-to-partner is above this was not kept up (default: ${DEFAULT-VALUE}).",
      defaultValue = "1000")
  private int maxP99Millis;

  @Option(
      names = "--drain",
      paramLabel = "SECONDS",
      description = {
        "After a step's last call, how long to wait without any new",
        "delivery before counting what has not arrived as lost (default: ${DEFAULT-VALUE})."
      },
      defaultValue = "15")
  private int drainSeconds;

  @Override
  public Integer call() throws Exception {
    if (rates.isEmpty()
        || rates.stream().anyMatch(rate -> rate < 1)
        || seconds < 1
        || warmUpSeconds < 0
        || jsonEvery < 0
        || drainSeconds < 1
        || maxP99Millis < 1) {
      throw new ParameterException(
          spec.commandLine(),
          "--steps need rates of at least 1; --seconds, --drain and --max-p99-ms at least 1;"
              + " --warm-up and --json-every at least 0");
    }
    PrintWriter out = spec.commandLine().getOut();
    Duration drain = Duration.ofSeconds(drainSeconds);
    try (ComposedPipeline pipeline = ComposedPipeline.start("pipeline", 0, out)) {
      PipelineLoad load = pipeline.load(jsonEvery);
      out.println("step     " + PipelineLoad.Step.header());
      if (warmUpSeconds > 0) {
        out.print("warm-up  ");
        load.run(rates.get(0), warmUpSeconds, drain, out);
      }
      List<PipelineLoad.Step> steps = new ArrayList<>();
      PipelineLoad.Step highest = null;
      for (int rate : rates) {
        out.print("step     ");
        PipelineLoad.Step step = load.run(rate, seconds, drain, out);
        steps.add(step);
        if (!keptUp(step)) {
          break;
        }
        highest = step;
      }
      PipelineLoad.Step half = null;
      if (highest != null) {
        out.print("half     ");
        half = load.run(highest.rate() / 2, seconds, drain, out);
        steps.add(half);
      }
      JsonArray all = new JsonArray();
      steps.forEach(step -> all.add(step.toJson()));
      out.println(all.encode());
      out.println(
          new JsonObject()
              .put("max_sustained_eps", highest == null ? 0 : Math.round(highest.rate()))
              .put(
                  "p99_e2e_ms_at_max",
                  highest == null ? null : PipelineLoad.millis(highest.endToEnd(), 99))
              .put(
                  "fresh_fraction_at_half",
                  half == null ? null : Math.round(half.freshFraction() * 10_000) / 10_000.0)
              .put(
                  "p99_answer_ms_at_half",
                  half == null ? null : PipelineLoad.millis(half.answers(), 99))
              .put("lost", steps.stream().mapToLong(PipelineLoad.Step::lost).sum())
              .put("duplicates", steps.stream().mapToLong(PipelineLoad.Step::duplicates).sum())
              .put("seconds", seconds)
              .put("json_every", jsonEvery)
              .encode());
      out.flush();
    }
    return 0;
  }

  /**
   * Kept up: every call answered, the last one within a second (or 5 %) of the step's end, so the
   * edge was not falling behind the rate, nothing lost, and the p99 within bounds.
   */
  private boolean keptUp(PipelineLoad.Step step) {
    double planned = step.seconds();
    double took = step.sent() / step.acceptedPerSecond();
    return step.acked() == step.sent()
        && took <= planned + Math.max(1, 0.05 * planned)
        && step.lost() == 0
        && PipelineLoad.millis(step.endToEnd(), 99) <= maxP99Millis;
  }
}
