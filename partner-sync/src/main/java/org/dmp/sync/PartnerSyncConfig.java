package org.dmp.sync;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.dmp.config.ConfigReader;
import org.dmp.runtime.CommonConfig;
import org.dmp.sync.batch.BatchSettings;
import org.dmp.sync.delivery.RetryPolicy;
import org.dmp.sync.destination.ReadingSettings;
import org.dmp.sync.http.HttpSettings;

/**
 * Partner sync's configuration, read once from partner-sync.properties, DMP_ variables and flags.
 *
 * @param reading how destinations read the segment topic
 * @param http how http deliveries are grouped and timed
 * @param retry when failed deliveries and uploads are tried again
 * @param files how batch destinations keep and publish their windows
 * @param signingSecretPrefix what the names of signing secrets' environment variables start with
 */
public record PartnerSyncConfig(
    CommonConfig common,
    ReadingSettings reading,
    HttpSettings http,
    RetryPolicy retry,
    BatchSettings files,
    String signingSecretPrefix) {

  public PartnerSyncConfig {
    Objects.requireNonNull(common, "common");
    Objects.requireNonNull(reading, "reading");
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(files, "files");
    Objects.requireNonNull(signingSecretPrefix, "signingSecretPrefix");
  }

  public static PartnerSyncConfig read(ConfigReader reader) {
    String startFrom = reader.text("sync.start-from").toLowerCase(Locale.ROOT);
    if (!startFrom.equals("earliest") && !startFrom.equals("latest")) {
      reader.problem("sync.start-from must be earliest or latest, was \"" + startFrom + "\"");
    }
    RetryPolicy retry =
        new RetryPolicy(
            reader.duration("sync.retry.initial-delay", Duration.ofMillis(1), Duration.ofHours(1)),
            reader.integer("sync.retry.multiplier", 1, 10),
            reader.duration("sync.retry.max-delay", Duration.ofMillis(1), Duration.ofDays(1)),
            reader.duration("sync.retry.give-up-after", Duration.ZERO, Duration.ofDays(30)),
            reader.integer("sync.retry.jitter-percent", 0, 100));
    if (retry.maxDelay().compareTo(retry.initialDelay()) < 0) {
      reader.problem(
          "sync.retry.max-delay ("
              + retry.maxDelay()
              + ") must not be shorter than sync.retry.initial-delay ("
              + retry.initialDelay()
              + ")");
    }
    CommonConfig common = CommonConfig.read(reader);
    HttpSettings http =
        new HttpSettings(
            reader.integer("sync.http.batch-users", 1, 10_000),
            reader.duration("sync.http.batch-wait", Duration.ZERO, Duration.ofMinutes(10)),
            reader.duration("sync.http.timeout", Duration.ofMillis(1), Duration.ofMinutes(10)));
    return new PartnerSyncConfig(
        common,
        new ReadingSettings(
            common.kafka(),
            common.topics(),
            reader.text("sync.group-prefix"),
            reader.text("sync.instance-id"),
            startFrom.equals("earliest")),
        http,
        retry,
        new BatchSettings(
            reader.path("sync.batch.spool-dir"),
            reader.path("sync.batch.outbox-root"),
            reader.duration("sync.batch.grace", Duration.ZERO, Duration.ofDays(1)),
            reader.integer("sync.batch.sort-run", 1_000, 100_000_000),
            // Uploads answer within the same time as real-time calls: one setting for how long a
            // partner may take.
            http.timeout()),
        reader.optionalText("sync.signing.secret-env-prefix").orElse(""));
  }
}
