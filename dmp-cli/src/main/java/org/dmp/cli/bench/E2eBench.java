package org.dmp.cli.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The whole pipeline, from a tag call to a partner, at one rate: {@code dmp demo} in a process of
 * its own, driven from here with calls that each qualify a new visitor for a segment mapped to a
 * partner here, and the time from the edge's acknowledgement to the partner's receipt.
 */
@Command(
    name = "e2e",
    description = {
      "Runs dmp demo in its own process (broker on disk) and drives its edge at a constant rate with events that qualify",
      "a segment mapped to a real-time partner in this process; measures from each call's acknowledgement to the partner's",
      "receipt. Prints a line, then one JSON line: rate, sent, acked, delivered, lost, duplicates, p50_ms, p99_ms, p999_ms,",
      "and the same-hit JSON answers' fresh_fraction and p99_answer_ms."
    })
final class E2eBench implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = "--rate",
      description = "Calls per second (default: ${DEFAULT-VALUE}).",
      defaultValue = "1000")
  private int rate;

  @Option(
      names = "--seconds",
      description = "Length of the measured run (default: ${DEFAULT-VALUE}).",
      defaultValue = "30")
  private int seconds;

  @Option(
      names = "--warm-up",
      paramLabel = "SECONDS",
      description = {
        "Unmeasured run first, at the same rate (default: ${DEFAULT-VALUE}).",
        "The composition's JIT compiler keeps a core busy for over a minute at 1,000 calls/s: after 10 s, p99 was seconds."
      },
      defaultValue = "60")
  private int warmUpSeconds;

  @Option(
      names = "--json-every",
      paramLabel = "N",
      description = {
        "Every Nth call asks for the same-hit JSON answer",
        "(d_rtbd=json&d_cts=2), as a DIL tag does; 0: none (default: ${DEFAULT-VALUE})."
      },
      defaultValue = "10")
  private int jsonEvery;

  @Option(
      names = "--down-partners",
      paramLabel = "N",
      description = {
        "More destinations mapped to the same segment, at",
        "partners that are down throughout: the measured partner's latency should not change (default: ${DEFAULT-VALUE})."
      },
      defaultValue = "0")
  private int downPartners;

  @Option(
      names = "--drain",
      paramLabel = "SECONDS",
      description = {
        "After the last call, how long to wait without any new delivery",
        "before counting what has not arrived as lost (default: ${DEFAULT-VALUE})."
      },
      defaultValue = "30")
  private int drainSeconds;

  @Override
  public Integer call() throws Exception {
    if (rate < 1
        || seconds < 1
        || warmUpSeconds < 0
        || drainSeconds < 1
        || downPartners < 0
        || jsonEvery < 0) {
      throw new ParameterException(
          spec.commandLine(),
          "--rate, --seconds and --drain must be at least 1, --warm-up, --json-every and --down-partners at least 0");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (ComposedPipeline pipeline = ComposedPipeline.start("e2e", downPartners, out)) {
      PipelineLoad load = pipeline.load(jsonEvery);
      out.println(PipelineLoad.Step.header());
      if (warmUpSeconds > 0) {
        out.print("warm-up ");
        load.run(rate, warmUpSeconds, Duration.ofSeconds(drainSeconds), out);
      }
      PipelineLoad.Step measured = load.run(rate, seconds, Duration.ofSeconds(drainSeconds), out);
      out.println(measured.toJson().put("down_partners", downPartners).encode());
      out.flush();
    }
    return 0;
  }
}
