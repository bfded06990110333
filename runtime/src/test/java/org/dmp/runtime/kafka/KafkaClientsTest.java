package org.dmp.runtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientsTest {
  @TempDir Path dir;

  @Test
  void everyClientGetsTheClusterThenTheSharedSettingsThenItsOwn() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("client.properties"),
            "security.protocol=SSL\nclient.dns.lookup=use_all_dns_ips\n");
    KafkaClients clients = KafkaClients.of("kafka-1:9093,kafka-2:9093", Optional.of(file));

    assertThat(
            clients.settings(
                Map.of(
                    "client.dns.lookup",
                    "resolve_canonical_bootstrap_servers_only",
                    "acks",
                    "all")))
        .containsEntry("bootstrap.servers", "kafka-1:9093,kafka-2:9093")
        .containsEntry("security.protocol", "SSL")
        .as("a client's own setting wins")
        .containsEntry("client.dns.lookup", "resolve_canonical_bootstrap_servers_only")
        .containsEntry("acks", "all");
    assertThat(clients.properties(Map.of())).containsEntry("security.protocol", "SSL");
  }

  @Test
  void theSharedSettingsReachTheClientsThemselves() throws Exception {
    Path file =
        Files.writeString(dir.resolve("client.properties"), "security.protocol=NOT_A_PROTOCOL\n");
    KafkaClients clients = KafkaClients.of("127.0.0.1:9092", Optional.of(file));
    assertThatThrownBy(() -> clients.admin(Map.of()).close())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("security.protocol");
  }

  @Test
  void aFileThatCannotBeReadOrSetsTheClusterIsRefusedByName() throws Exception {
    Path missing = dir.resolve("missing.properties");
    assertThatThrownBy(() -> KafkaClients.of("127.0.0.1:9092", Optional.of(missing)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString());
    Path clash =
        Files.writeString(dir.resolve("clash.properties"), "bootstrap.servers=elsewhere:9092\n");
    assertThatThrownBy(() -> KafkaClients.of("127.0.0.1:9092", Optional.of(clash)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("set kafka.bootstrap instead");
  }
}
