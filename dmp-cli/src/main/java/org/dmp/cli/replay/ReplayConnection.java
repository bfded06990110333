package org.dmp.cli.replay;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.dmp.cli.KafkaBootstrap;
import org.dmp.cli.TopicsCommand;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.topics.Topics;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What every replay command is given: the cluster, and settings as the services take them (topic
 * names, and the qualifier's settings for a run).
 */
final class ReplayConnection {
  @Mixin private KafkaBootstrap kafka;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "A setting as the services take it, over the DMP_ variables: topic names"
              + " (topic.visits.name=...) and the qualifier's (qualifier.grace=2s,"
              + " qualifier.stream-threads=2).")
  private Map<String, String> settings = Map.of();

  KafkaClients clients() {
    return kafka.clients();
  }

  /**
   * @throws org.dmp.config.ConfigException naming a bad topic setting
   */
  Topics topics() {
    return TopicsCommand.configured(
        System.getenv(),
        flags(
            settings.entrySet().stream()
                .filter(setting -> setting.getKey().startsWith("topic."))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))));
  }

  /** Every setting, as flags. */
  List<String> flags() {
    return flags(settings);
  }

  private static List<String> flags(Map<String, String> settings) {
    return settings.entrySet().stream()
        .map(setting -> "--" + setting.getKey() + "=" + setting.getValue())
        .toList();
  }
}
