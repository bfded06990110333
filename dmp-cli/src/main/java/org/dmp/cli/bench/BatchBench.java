package org.dmp.cli.bench;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Full batch files of many members, written by the batch destination's own code, with the heap it
 * took.
 */
@Command(
    name = "batch",
    description = {
      "Writes a full batch file of N members the way a batch destination does: first with every member arriving in the",
      "window (sorted in runs), then the next window's file with one member in a hundred changed. It does so twice, in",
      "folders of their own: the first time in a process just started (cold), then as a destination that has run for a",
      "while. Reports the times and the peak heap in use (sampled every 10 ms), and ends with one JSON line: members,",
      "seconds, lines_per_s, peak_heap_mb, next_seconds, next_lines_per_s, cold_seconds, cold_lines_per_s."
    })
final class BatchBench implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = "--members",
      paramLabel = "N",
      description = "Members of the full file (default: ${DEFAULT-VALUE}).",
      defaultValue = "1000000")
  private int members;

  @Option(
      names = "--sort-run",
      paramLabel = "N",
      description =
          "Changes sorted in memory at once (default: ${DEFAULT-VALUE}, as sync.batch.sort-run).",
      defaultValue = "500000")
  private int sortRun;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description =
          "Where the spool and files go (default: a new temporary folder, deleted after).")
  private Path dir;

  @Override
  public Integer call() throws Exception {
    if (members < 1 || sortRun < 1_000) {
      throw new ParameterException(
          spec.commandLine(), "--members must be at least 1 and --sort-run at least 1000");
    }
    ScratchDirectory scratch = dir == null ? ScratchDirectory.onDisk("dmp-bench-batch-") : null;
    Path work = scratch == null ? Files.createDirectories(dir) : scratch.path();
    PrintWriter out = spec.commandLine().getOut();
    AtomicLong peak = new AtomicLong();
    ScheduledExecutorService sampler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "heap-sampler");
              thread.setDaemon(true);
              return thread;
            });
    Runtime runtime = Runtime.getRuntime();
    System.gc();
    sampler.scheduleAtFixedRate(
        () -> peak.accumulateAndGet(runtime.totalMemory() - runtime.freeMemory(), Math::max),
        0,
        10,
        TimeUnit.MILLISECONDS);
    try {
      // A fresh process's first window also pays for compiling the code and, on a virtual
      // machine, for the host's first touch of the heap's memory: a destination that has run a day
      // has neither.
      FullFileBenchmark.Result cold =
          FullFileBenchmark.run(Files.createDirectories(work.resolve("cold")), members, sortRun, 7);
      FullFileBenchmark.Result result =
          FullFileBenchmark.run(
              Files.createDirectories(work.resolve("warm")), members, sortRun, 42);
      sampler.shutdownNow();
      long peakMb = peak.get() / (1024 * 1024);
      out.printf("spooled %d members in %.2f s%n", members, result.spooled().toNanos() / 1e9);
      out.printf("%-6s %12s %10s %14s %12s%n", "file", "lines", "seconds", "lines/s", "MB");
      row(out, "cold", cold.first());
      row(out, "first", result.first());
      row(out, "next", result.next());
      out.printf(
          "peak heap in use %d MB of %d MB max%n", peakMb, runtime.maxMemory() / (1024 * 1024));
      out.println(
          new JsonObject()
              .put("members", members)
              .put("seconds", round(result.first().seconds()))
              .put("lines_per_s", Math.round(result.first().linesPerSecond()))
              .put("peak_heap_mb", peakMb)
              .put("next_seconds", round(result.next().seconds()))
              .put("next_lines_per_s", Math.round(result.next().linesPerSecond()))
              .put("cold_seconds", round(cold.first().seconds()))
              .put("cold_lines_per_s", Math.round(cold.first().linesPerSecond()))
              .encode());
      out.flush();
    } finally {
      sampler.shutdownNow();
      if (scratch != null) {
        scratch.close();
      }
    }
    return 0;
  }

  private static double round(double seconds) {
    return Math.round(seconds * 1000) / 1000.0;
  }

  private static void row(PrintWriter out, String file, FullFileBenchmark.Written written) {
    out.printf(
        "%-6s %12d %10.2f %14.0f %12.1f%n",
        file, written.lines(), written.seconds(), written.linesPerSecond(), written.bytes() / 1e6);
  }
}
