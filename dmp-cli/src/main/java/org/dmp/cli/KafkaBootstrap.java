package org.dmp.cli;

import java.nio.file.Path;
import java.util.Optional;
import org.dmp.runtime.kafka.KafkaClients;
import picocli.CommandLine.Option;

/**
 * The {@code --bootstrap} and {@code --kafka-config} options of every command that talks to Kafka;
 * {@link CliDefaults} gives their defaults ({@code kafka.bootstrap}, {@code
 * kafka.client.config-file}).
 */
public final class KafkaBootstrap {
  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  private String servers;

  @Option(
      names = "--kafka-config",
      paramLabel = "FILE",
      description =
          "A Kafka client properties file (TLS, SASL) for every client the command makes (default: none).")
  private String configFile;

  public String servers() {
    return servers;
  }

  /**
   * @throws IllegalArgumentException naming the file, when it cannot be read
   */
  public KafkaClients clients() {
    return KafkaClients.of(
        servers, Optional.ofNullable(configFile).filter(file -> !file.isBlank()).map(Path::of));
  }
}
