package org.dmp.cli;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.topics.Topics;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What the replay and ingest commands are given: the cluster, and settings as the services take
 * them (topic names, and the qualifier's settings for a run).
 */
public final class KafkaConnection {
  @Mixin private KafkaBootstrap kafka;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "A setting as the services take it, over the DMP_ variables: topic names"
              + " (topic.visits.name=...) and the qualifier's (qualifier.grace=2s,"
              + " qualifier.stream-threads=2).")
  private Map<String, String> settings = Map.of();

  public KafkaClients clients() {
    return kafka.clients();
  }

  /**
   * @throws org.dmp.config.ConfigException naming a bad topic setting
   */
  public Topics topics() {
    return TopicsCommand.configured(
        System.getenv(),
        flags(
            settings.entrySet().stream()
                .filter(setting -> setting.getKey().startsWith("topic."))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))));
  }

  /** Every setting, as flags. */
  public List<String> flags() {
    return flags(settings);
  }

  private static List<String> flags(Map<String, String> settings) {
    return settings.entrySet().stream()
        .map(setting -> "--" + setting.getKey() + "=" + setting.getValue())
        .toList();
  }
}
