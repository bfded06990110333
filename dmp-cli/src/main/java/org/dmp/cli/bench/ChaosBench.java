package org.dmp.cli.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "chaos",
    description = {
      "Runs the composition as separate processes (three Kafka nodes, the edge, the qualifier, partner sync) under steady",
      "load, and in turn kills each service with kill -9 and starts it again, kills one Kafka node and brings it back,",
      "and makes the partner fail every request for a while. Then counts what became of every call the edge acknowledged.",
      "Prints one JSON line per run: acknowledged, in_log, lost, delivered, undelivered, duplicates, unexplained_duplicates",
      "(a visitor's change received under more than one idempotency key). Exit 1 if any run lost anything."
    })
final class ChaosBench implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = "--rate",
      description = "Calls per second (default: ${DEFAULT-VALUE}).",
      defaultValue = "200")
  private int rate;

  @Option(
      names = "--between",
      paramLabel = "CALLS",
      description =
          "Calls the edge acknowledges before each fault, and while a Kafka node is down (default: ${DEFAULT-VALUE}).",
      defaultValue = "2000")
  private int between;

  @Option(
      names = "--runs",
      description = "How many runs, each on a new composition (default: ${DEFAULT-VALUE}).",
      defaultValue = "3")
  private int runs;

  @Option(
      names = "--drain",
      paramLabel = "SECONDS",
      description = {
        "After the load, how long deliveries may make no progress",
        "before what has not arrived counts as undelivered (default: ${DEFAULT-VALUE})."
      },
      defaultValue = "60")
  private int drainSeconds;

  @Override
  public Integer call() throws Exception {
    if (rate < 1 || between < 1 || runs < 1 || drainSeconds < 1) {
      throw new ParameterException(
          spec.commandLine(), "--rate, --between, --runs and --drain must be at least 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    boolean clean = true;
    for (int run = 1; run <= runs; run++) {
      Chaos.Result result =
          Chaos.run(new Chaos.Settings(rate, between, Duration.ofSeconds(drainSeconds)), out);
      clean &=
          result.lost() == 0 && result.undelivered() == 0 && result.unexplainedDuplicates() == 0;
      out.println(result.toJson().put("run", run).encode());
      out.flush();
    }
    return clean ? 0 : 1;
  }
}
