package org.dmp.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.Quorum;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "broker",
    description = {
      "Runs the embedded Kafka broker (KRaft), a single node or one node of a cluster on this",
      "machine, in the foreground until Ctrl-C.",
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

  @Option(
      names = "--node-id",
      description = "This node's id in --quorum (default: ${DEFAULT-VALUE}).")
  private int nodeId;

  @Option(
      names = "--quorum",
      paramLabel = "NODE@PORT,...",
      description =
          "A cluster on this machine: each node's id and controller port on 127.0.0.1, such as"
              + " 1@9093,2@9095,3@9097 (default: a single node).")
  private String quorum;

  @Option(
      names = "--cluster-id",
      paramLabel = "ID",
      description = "With --quorum: the id every node of the cluster formats its storage with.")
  private String clusterId;

  @Override
  public Integer call() throws InterruptedException {
    if (port < 0 || port > 65_535) {
      throw new ParameterException(
          spec.commandLine(), "--port must be 0 (any free port) or 1-65535, was " + port);
    }
    Shutdown shutdown = new Shutdown();
    EmbeddedKafkaBroker broker =
        shutdown.closeAtExit(
            quorum == null || quorum.isBlank()
                ? EmbeddedKafkaBroker.start(dataDir, port, Map.of())
                : EmbeddedKafkaBroker.start(dataDir, port, nodeId, quorum(), Map.of()));
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

  private Quorum quorum() {
    if (clusterId == null || clusterId.isBlank()) {
      throw new ParameterException(spec.commandLine(), "--quorum needs --cluster-id");
    }
    try {
      Quorum parsed = Quorum.parse(clusterId, quorum);
      if (!parsed.controllerPorts().containsKey(nodeId)) {
        throw new ParameterException(
            spec.commandLine(), "--node-id " + nodeId + " is not in --quorum " + quorum);
      }
      return parsed;
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), "--quorum or --cluster-id: " + e.getMessage());
    }
  }
}
