package org.dmp.qualifier;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.topics.TopicRole;

/** A qualifier's configuration for one test: its own topics and group, created on the broker. */
final class QualifierSettings {
  /** What the operator endpoints of a test's qualifier require. */
  static final String OPERATOR_TOKEN = "test-operator-token";

  private QualifierSettings() {}

  /**
   * @param extra settings that win over the test defaults
   */
  static QualifierConfig create(String bootstrap, Path stateDir, String... extra) throws Exception {
    List<String> settings =
        new ArrayList<>(
            List.of(
                "--kafka.bootstrap=" + bootstrap,
                "--http.host=127.0.0.1",
                "--http.port=0",
                "--operator.token=" + OPERATOR_TOKEN,
                "--qualifier.application-id=" + UniqueNames.group("qualifier"),
                "--qualifier.state-dir=" + stateDir));
    for (TopicRole role : TopicRole.values()) {
      settings.add("--topic." + role.key() + ".name=" + UniqueNames.topic(role.key()));
    }
    settings.addAll(List.of(extra));
    QualifierConfig config =
        QualifierConfig.SETTINGS.read(Map.of(), settings, QualifierConfig::read);
    try (Admin admin = KafkaClients.of(bootstrap).admin(Map.of())) {
      config.common().topics().createMissing(admin);
    }
    return config;
  }
}
