package org.dmp.inbound.service;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.dmp.config.ConfigReader;
import org.dmp.config.SettingsSpec;
import org.dmp.runtime.CommonConfig;

/**
 * The inbound service's configuration, read once from inbound.properties, DMP_ variables and flags.
 */
public record InboundConfig(
    CommonConfig common,
    Path inbox,
    Duration pollInterval,
    String uploadTokenEnv,
    long maxUploadBytes,
    int linesPerTransaction) {

  public static final SettingsSpec SETTINGS = CommonConfig.spec("inbound");

  public InboundConfig {
    Objects.requireNonNull(common, "common");
    Objects.requireNonNull(inbox, "inbox");
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(uploadTokenEnv, "uploadTokenEnv");
  }

  public static InboundConfig read(ConfigReader reader) {
    return new InboundConfig(
        CommonConfig.read(reader),
        reader.path("inbound.inbox"),
        reader.duration("inbound.poll-interval", Duration.ofMillis(10), Duration.ofHours(1)),
        reader.text("inbound.upload-token-env"),
        reader.integer("inbound.max-upload-mb", 1, 1_000_000) * 1024L * 1024L,
        reader.integer("inbound.lines-per-transaction", 1, 10_000_000));
  }
}
