package org.dmp.cli.replay;

import java.time.Duration;
import java.util.List;
import org.dmp.config.ConfigReader;
import picocli.CommandLine.Option;

/** What applying corrections takes: who hears of them, and how long to wait for the qualifier. */
final class ApplyOptions {
  @Option(
      names = "--destinations",
      split = ",",
      paramLabel = "ID",
      description =
          "Only these destinations: with --dry-run, compare only the segments they map; with"
              + " --apply or a backfill, send the changes to them only.")
  List<Long> destinations;

  @Option(
      names = "--wait",
      paramLabel = "DURATION",
      defaultValue = "10m",
      description =
          "How long to wait for the live qualifier to apply the corrections (default:"
              + " ${DEFAULT-VALUE}; 0s: do not wait).")
  String await;

  /** The destinations named; empty for all. */
  List<Long> destinations() {
    return destinations == null ? List.of() : List.copyOf(destinations);
  }

  /**
   * @throws IllegalArgumentException naming the option
   */
  Duration waitLimit() {
    Duration parsed = ConfigReader.parseDuration(await);
    if (parsed == null || parsed.isNegative()) {
      throw new IllegalArgumentException(
          "--wait '" + await + "' is not a duration such as 10m, 30s or PT1H");
    }
    return parsed;
  }
}
