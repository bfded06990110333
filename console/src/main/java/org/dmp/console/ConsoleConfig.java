package org.dmp.console;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.dmp.config.ConfigReader;
import org.dmp.config.SettingsSpec;
import org.dmp.runtime.CommonConfig;

/** The console's configuration, read once from console.properties, DMP_ variables and flags. */
public record ConsoleConfig(
    CommonConfig common,
    Optional<String> user,
    String passwordEnv,
    Duration sessionIdle,
    int maxSessions,
    long maxBodyBytes,
    Duration publishTimeout) {

  public static final SettingsSpec SETTINGS = CommonConfig.spec("console");

  public ConsoleConfig {
    Objects.requireNonNull(common, "common");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(passwordEnv, "passwordEnv");
    Objects.requireNonNull(sessionIdle, "sessionIdle");
    Objects.requireNonNull(publishTimeout, "publishTimeout");
  }

  public static ConsoleConfig read(ConfigReader reader) {
    return new ConsoleConfig(
        CommonConfig.read(reader),
        reader.optionalText("console.user"),
        reader.text("console.password-env"),
        reader.duration("console.session-idle", Duration.ofMinutes(1), Duration.ofDays(30)),
        reader.integer("console.max-sessions", 1, 1_000_000),
        reader.integer("console.max-body-mb", 1, 1024) * 1024L * 1024L,
        reader.duration("console.publish-timeout", Duration.ofSeconds(1), Duration.ofMinutes(30)));
  }
}
