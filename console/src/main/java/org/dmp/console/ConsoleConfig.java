package org.dmp.console;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    Duration publishTimeout,
    List<String> partnerSyncUrls,
    Optional<String> qualifierUrl) {

  public static final SettingsSpec SETTINGS = CommonConfig.spec("console");

  public ConsoleConfig {
    Objects.requireNonNull(common, "common");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(passwordEnv, "passwordEnv");
    Objects.requireNonNull(sessionIdle, "sessionIdle");
    Objects.requireNonNull(publishTimeout, "publishTimeout");
    partnerSyncUrls = List.copyOf(partnerSyncUrls);
    Objects.requireNonNull(qualifierUrl, "qualifierUrl");
  }

  public static ConsoleConfig read(ConfigReader reader) {
    return new ConsoleConfig(
        CommonConfig.read(reader),
        reader.optionalText("console.user"),
        reader.text("console.password-env"),
        reader.duration("console.session-idle", Duration.ofMinutes(1), Duration.ofDays(30)),
        reader.integer("console.max-sessions", 1, 1_000_000),
        reader.integer("console.max-body-mb", 1, 1024) * 1024L * 1024L,
        reader.duration("console.publish-timeout", Duration.ofSeconds(1), Duration.ofMinutes(30)),
        urls(reader, "console.partner-sync-urls"),
        urls(reader, "console.qualifier-url").stream().findFirst());
  }

  /** A comma-separated list of http(s) base URLs; empty for none. */
  private static List<String> urls(ConfigReader reader, String key) {
    List<String> urls = new ArrayList<>();
    for (String url : reader.optionalText(key).orElse("").split(",")) {
      String trimmed = url.strip().replaceAll("/+$", "");
      if (trimmed.isEmpty()) {
        continue;
      }
      if (!trimmed.startsWith("http://") && !trimmed.startsWith("https://")) {
        reader.problem(key + ": \"" + trimmed + "\" is not an http(s) URL");
      }
      urls.add(trimmed);
    }
    return urls;
  }
}
