package org.dmp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliDefaultsTest {

  @Test
  void optionDefaultsComeFromThePropertiesFileAndTheEnvironment() throws Exception {
    CommandLine commandLine = Dmp.commandLine();
    commandLine.setDefaultValueProvider(
        CliDefaults.fromEnvironment(
            Map.of("DMP_DEMO_EDGE_PORT", "9999", "DMP_KAFKA_BOOTSTRAP", "k:1")));
    CommandLine demo = commandLine.getSubcommands().get("demo");
    CommandLine tail = commandLine.getSubcommands().get("tail");

    assertThat(demo.getCommandSpec().findOption("--edge-port").defaultValueString())
        .isEqualTo("9999");
    assertThat(demo.getCommandSpec().findOption("--kafka-port").defaultValueString())
        .isEqualTo("9092");
    assertThat(tail.getCommandSpec().findOption("--bootstrap").defaultValueString())
        .isEqualTo("k:1");
  }
}
