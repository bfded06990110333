package org.dmp.sync;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.dmp.config.ConfigReader;
import org.dmp.runtime.CommonConfig;
import org.dmp.sync.http.RetryPolicy;

/**
 * Partner sync's configuration, read once from partner-sync.properties, DMP_ variables and flags.
 *
 * @param startFromEarliest where a destination's group starts without a committed position
 */
public record PartnerSyncConfig(CommonConfig common, String groupPrefix, String instanceId, boolean startFromEarliest,
    HttpBatching batching, RetryPolicy retry, BatchFiles files) {

  /** How http deliveries are grouped and timed. */
  public record HttpBatching(int maxUsers, Duration maxWait, Duration timeout) {}

  /**
   * Where batch destinations keep their open windows, and how they close them.
   *
   * @param grace how long after a window's end its changes may still arrive before the file is written
   * @param sortRun how many changes are sorted in memory at once when a window closes
   */
  public record BatchFiles(java.nio.file.Path spoolDir, Duration grace, int sortRun) {}

  public PartnerSyncConfig {
    Objects.requireNonNull(common, "common");
    Objects.requireNonNull(groupPrefix, "groupPrefix");
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(batching, "batching");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(files, "files");
  }

  /** The consumer group of one destination. */
  public String groupOf(long destinationId) {
    return groupPrefix + destinationId;
  }

  public static PartnerSyncConfig read(ConfigReader reader) {
    String startFrom = reader.text("sync.start-from").toLowerCase(Locale.ROOT);
    if (!startFrom.equals("earliest") && !startFrom.equals("latest")) {
      reader.problem("sync.start-from must be earliest or latest, was \"" + startFrom + "\"");
    }
    RetryPolicy retry = new RetryPolicy(
        reader.duration("sync.retry.initial-delay", Duration.ofMillis(1), Duration.ofHours(1)),
        reader.integer("sync.retry.multiplier", 1, 10),
        reader.duration("sync.retry.max-delay", Duration.ofMillis(1), Duration.ofDays(1)),
        reader.duration("sync.retry.give-up-after", Duration.ZERO, Duration.ofDays(30)),
        reader.integer("sync.retry.jitter-percent", 0, 100));
    if (retry.maxDelay().compareTo(retry.initialDelay()) < 0) {
      reader.problem("sync.retry.max-delay (" + retry.maxDelay() + ") must not be shorter than sync.retry.initial-delay ("
          + retry.initialDelay() + ")");
    }
    return new PartnerSyncConfig(
        CommonConfig.read(reader),
        reader.text("sync.group-prefix"),
        reader.text("sync.instance-id"),
        startFrom.equals("earliest"),
        new HttpBatching(
            reader.integer("sync.http.batch-users", 1, 10_000),
            reader.duration("sync.http.batch-wait", Duration.ZERO, Duration.ofMinutes(10)),
            reader.duration("sync.http.timeout", Duration.ofMillis(1), Duration.ofMinutes(10))),
        retry,
        new BatchFiles(
            reader.path("sync.batch.spool-dir"),
            reader.duration("sync.batch.grace", Duration.ZERO, Duration.ofDays(1)),
            reader.integer("sync.batch.sort-run", 1_000, 100_000_000)));
  }
}
