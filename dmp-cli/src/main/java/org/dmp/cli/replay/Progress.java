package org.dmp.cli.replay;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * A run's progress: a bar redrawn in place on a terminal, else one JSON status line per report, for
 * scripts and logs.
 */
final class Progress {
  private static final int BAR = 30;
  private static final long REPORT_EVERY_NANOS = Duration.ofSeconds(1).toNanos();

  private final PrintWriter out;
  private final boolean terminal;
  private long lastReport = Long.MIN_VALUE;

  Progress(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** What is being counted: a run's events read, or the corrections the live qualifier applied. */
  enum Stage {
    READING("events", "eventsRead", "eventsToRead", "eventsPerSecond"),
    APPLYING("corrections applied", "correctionsApplied", "corrections", "correctionsPerSecond");

    private final String unit;
    private final String doneField;
    private final String totalField;
    private final String rateField;

    Stage(String unit, String doneField, String totalField, String rateField) {
      this.unit = unit;
      this.doneField = doneField;
      this.totalField = totalField;
      this.rateField = rateField;
    }
  }

  /**
   * @param read events read so far
   * @param total events to read in all (the end ticks included)
   */
  void reading(String run, long read, long total, Duration elapsed) {
    report(run, Stage.READING, read, total, elapsed);
  }

  /**
   * @param read how many of the stage's items are done
   * @param total how many there are in all
   */
  void report(String run, Stage stage, long read, long total, Duration elapsed) {
    long now = System.nanoTime();
    boolean done = read >= total;
    if (!done && lastReport != Long.MIN_VALUE && now - lastReport < REPORT_EVERY_NANOS) {
      return;
    }
    lastReport = now;
    double seconds = Math.max(elapsed.toMillis(), 1) / 1000.0;
    long rate = Math.round(read / seconds);
    long lag = Math.max(0, total - read);
    long secondsLeft = rate == 0 ? -1 : lag / Math.max(rate, 1);
    if (terminal) {
      int filled = total == 0 ? BAR : (int) (BAR * Math.min(read, total) / total);
      out.printf(
          "\r[%s%s] %3d%% %,d %s, %,d/s, lag %,d, %s left   ",
          "#".repeat(filled),
          ".".repeat(BAR - filled),
          total == 0 ? 100 : 100 * Math.min(read, total) / total,
          read,
          stage.unit,
          rate,
          lag,
          secondsLeft < 0 ? "?" : secondsLeft + " s");
      if (done) {
        out.println();
      }
    } else {
      out.println(
          new JsonObject()
              .put("run", run)
              .put("state", stage.name())
              .put(stage.doneField, read)
              .put(stage.totalField, total)
              .put(stage.rateField, rate)
              .put("lag", lag)
              .put("secondsLeft", secondsLeft)
              .encode());
    }
    out.flush();
  }
}
