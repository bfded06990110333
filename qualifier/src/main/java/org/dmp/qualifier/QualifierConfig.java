package org.dmp.qualifier;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.dmp.config.ConfigReader;
import org.dmp.config.SettingsSpec;
import org.dmp.runtime.CommonConfig;

/** The qualifier's configuration, read once from qualifier.properties, DMP_ variables and flags. */
public record QualifierConfig(CommonConfig common, String applicationId, Path stateDir, int streamThreads,
    Optional<String> instanceId, Duration sessionTimeout, Duration commitInterval, int maxRealizationsPerTrait, Duration expiryCheck) {

  public static final SettingsSpec SETTINGS = CommonConfig.spec("qualifier");

  public QualifierConfig {
    Objects.requireNonNull(common, "common");
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(stateDir, "stateDir");
  }

  public static QualifierConfig read(ConfigReader reader) {
    return new QualifierConfig(
        CommonConfig.read(reader),
        reader.text("qualifier.application-id"),
        reader.path("qualifier.state-dir"),
        reader.integer("qualifier.stream-threads", 1, 64),
        reader.optionalText("qualifier.instance-id"),
        reader.duration("qualifier.session-timeout", Duration.ofSeconds(6), Duration.ofMinutes(30)),
        reader.duration("qualifier.commit-interval", Duration.ofMillis(10), Duration.ofMinutes(10)),
        reader.integer("qualifier.max-realizations-per-trait", 1, 100_000),
        reader.duration("qualifier.expiry-check", Duration.ofSeconds(1), Duration.ofDays(1)));
  }
}
