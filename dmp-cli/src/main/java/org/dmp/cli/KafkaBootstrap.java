package org.dmp.cli;

import picocli.CommandLine.Option;

/** The {@code --bootstrap} option of every command that talks to Kafka; {@link CliDefaults} gives its default. */
final class KafkaBootstrap {
  @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  private String servers;

  String servers() {
    return servers;
  }
}
