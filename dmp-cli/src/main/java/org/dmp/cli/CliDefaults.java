package org.dmp.cli;

import java.util.List;
import java.util.Map;
import org.dmp.config.Setting;
import org.dmp.config.Settings;
import org.dmp.config.SettingsSpec;
import org.dmp.schemas.topics.Topics;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option defaults from {@code dmp-cli.properties}, overridable by DMP_ variables: the option {@code
 * --kafka-port} of {@code dmp demo} is the key {@code demo.kafka-port} ({@code
 * DMP_DEMO_KAFKA_PORT}), {@code --bootstrap} of any command is {@code kafka.bootstrap} and {@code
 * --kafka-config} is {@code kafka.client.config-file}.
 */
final class CliDefaults implements IDefaultValueProvider {
  static final SettingsSpec SPEC =
      new SettingsSpec("dmp", List.of(Topics.DEFAULTS, "dmp-cli.properties"), Map.of());

  private final Settings settings;

  private CliDefaults(Settings settings) {
    this.settings = settings;
  }

  static CliDefaults fromEnvironment(Map<String, String> env) {
    return new CliDefaults(SPEC.load(env, List.of()));
  }

  @Override
  public String defaultValue(ArgSpec argument) {
    if (!(argument instanceof OptionSpec option)) {
      return null;
    }
    String name = option.longestName().replaceFirst("^--", "");
    String key =
        switch (name) {
          case "bootstrap" -> "kafka.bootstrap";
          case "kafka-config" -> "kafka.client.config-file";
          default -> option.command().name() + "." + name;
        };
    return settings.get(key).map(Setting::value).orElse(null);
  }
}
