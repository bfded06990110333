package org.dmp.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "broker",
    description = {
      "Runs the embedded single-node Kafka broker (KRaft) in the foreground until Ctrl-C.",
      "Storage is formatted on first start and kept across restarts."
    })
final class BrokerCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = "--port",
      description = "Client port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  private int port;

  @Option(
      names = "--data-dir",
      description = "Folder for the broker's storage (default: ${DEFAULT-VALUE}).")
  private Path dataDir;

  @Override
  public Integer call() throws InterruptedException {
    if (port < 0 || port > 65_535) {
      throw new ParameterException(
          spec.commandLine(), "--port must be 0 (any free port) or 1-65535, was " + port);
    }
    Shutdown shutdown = new Shutdown();
    EmbeddedKafkaBroker broker =
        shutdown.closeAtExit(EmbeddedKafkaBroker.start(dataDir, port, Map.of()));
    var out = spec.commandLine().getOut();
    out.println(
        "Kafka broker ready at "
            + broker.bootstrapServers()
            + " (data in "
            + dataDir.toAbsolutePath()
            + "); Ctrl-C stops it");
    out.flush();
    shutdown.await();
    return 0;
  }
}
