package org.dmp.kafka.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka node in KRaft combined mode (controller and broker in one process), run in this JVM
 * from the Kafka artifacts: a single-node broker, or one node of a {@link Quorum} on this machine.
 *
 * <p>Storage lives in {@code dataDir/kafka-logs} and survives restarts: the first start formats it,
 * later starts find it formatted and keep every topic and offset. The client listener binds
 * 127.0.0.1 only, so nothing outside this machine can reach it.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  private static final String HOST = "127.0.0.1";

  private final Path dataDir;
  private final int port;
  private final KafkaRaftServer server;
  private boolean closed;

  private EmbeddedKafkaBroker(Path dataDir, int port, KafkaRaftServer server) {
    this.dataDir = dataDir;
    this.port = port;
    this.server = server;
  }

  /**
   * Starts a broker and returns once a client can list the cluster's nodes.
   *
   * @param dataDir folder for the broker's storage and its generated server.properties
   * @param port the client port on 127.0.0.1, or 0 for a free one
   * @param overrides broker properties that replace the single-node defaults
   */
  public static EmbeddedKafkaBroker start(Path dataDir, int port, Map<String, String> overrides) {
    return start(dataDir, port, 1, Quorum.alone(freePort()), overrides);
  }

  /**
   * Starts one node of a quorum and returns once a client can list the cluster's nodes, which takes
   * a majority of the quorum's nodes up.
   *
   * @param nodeId this node's id in the quorum
   */
  public static EmbeddedKafkaBroker start(
      Path dataDir, int port, int nodeId, Quorum quorum, Map<String, String> overrides) {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(quorum, "quorum");
    Objects.requireNonNull(overrides, "overrides");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0 (any free port) or 1-65535, was " + port);
    }
    if (!quorum.controllerPorts().containsKey(nodeId)) {
      throw new IllegalArgumentException(
          "node " + nodeId + " is not in the quorum " + quorum.voters(HOST));
    }
    Instant begin = Instant.now();
    int clientPort = port == 0 ? freePort() : port;
    Path propertiesFile = writeProperties(dataDir, clientPort, nodeId, quorum, overrides);
    if (!Files.exists(logDir(dataDir).resolve("meta.properties"))) {
      formatStorage(propertiesFile, quorum.clusterId());
    }

    Properties properties = readProperties(propertiesFile);
    KafkaRaftServer server =
        new KafkaRaftServer(KafkaConfig.fromProps(properties, false), Time.SYSTEM);
    server.startup();
    EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dataDir, clientPort, server);
    try {
      broker.awaitClientsCanConnect();
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
    LOG.info(
        "Kafka broker ready at {} (data in {}) after {} ms",
        broker.bootstrapServers(),
        dataDir,
        Duration.between(begin, Instant.now()).toMillis());
    return broker;
  }

  /** The address clients connect to: {@code 127.0.0.1:port}. */
  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Shuts the broker down cleanly, flushing its logs; safe to call more than once. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.shutdown();
    server.awaitShutdown();
    LOG.info("Kafka broker at {} stopped", bootstrapServers());
  }

  private void awaitClientsCanConnect() {
    Map<String, Object> config =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
            5_000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            (int) READY_TIMEOUT.toMillis());
    try (Admin admin = Admin.create(config)) {
      admin.describeCluster().nodes().get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "Interrupted while waiting for the broker at " + bootstrapServers(), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Broker at "
              + bootstrapServers()
              + " did not accept clients within "
              + READY_TIMEOUT.toSeconds()
              + " s",
          e);
    }
  }

  private static Path writeProperties(
      Path dataDir, int clientPort, int nodeId, Quorum quorum, Map<String, String> overrides) {
    Properties properties = new Properties();
    properties.putAll(nodeDefaults(dataDir, clientPort, nodeId, quorum));
    properties.putAll(overrides);
    Path file = dataDir.resolve("server.properties");
    try {
      Files.createDirectories(dataDir);
      try (OutputStream out = Files.newOutputStream(file)) {
        properties.store(
            out,
            "Written by the embedded broker at each start; edit the code or pass overrides instead");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the broker configuration " + file, e);
    }
    return file;
  }

  static Map<String, String> nodeDefaults(Path dataDir, int clientPort, int nodeId, Quorum quorum) {
    int controllerPort = quorum.controllerPorts().get(nodeId);
    String replicas = Integer.toString(quorum.replicationFactor());
    String minInSync = Integer.toString(quorum.minInSyncReplicas());
    return Map.ofEntries(
        Map.entry("process.roles", "broker,controller"),
        Map.entry("node.id", Integer.toString(nodeId)),
        Map.entry("controller.quorum.voters", quorum.voters(HOST)),
        Map.entry(
            "listeners",
            "PLAINTEXT://"
                + HOST
                + ":"
                + clientPort
                + ",CONTROLLER://"
                + HOST
                + ":"
                + controllerPort),
        Map.entry("advertised.listeners", "PLAINTEXT://" + HOST + ":" + clientPort),
        Map.entry("controller.listener.names", "CONTROLLER"),
        Map.entry("inter.broker.listener.name", "PLAINTEXT"),
        Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
        Map.entry("log.dirs", logDir(dataDir).toString()),
        // Kafka's own topics, and those created without a replication factor (changelogs), keep a
        // copy per node up to three: one on a single node.
        Map.entry("default.replication.factor", replicas),
        Map.entry("min.insync.replicas", minInSync),
        Map.entry("offsets.topic.replication.factor", replicas),
        Map.entry("transaction.state.log.replication.factor", replicas),
        Map.entry("transaction.state.log.min.isr", minInSync),
        Map.entry("share.coordinator.state.topic.replication.factor", replicas),
        Map.entry("share.coordinator.state.topic.min.isr", minInSync),
        // Fewer internal partitions than the production defaults of 50: the first group or
        // transaction on a fresh broker then takes a moment instead of several seconds.
        Map.entry("offsets.topic.num.partitions", "5"),
        Map.entry("transaction.state.log.num.partitions", "5"),
        // Consumers join at once instead of waiting for more members that will never come.
        Map.entry("group.initial.rebalance.delay.ms", "0"),
        // The broker shares its machine with the services: the defaults' 8 request handlers and 3
        // network threads hand every small request between a dozen threads, and those wake-ups
        // cost more CPU than the requests (measured with dmp bench pipeline).
        Map.entry("num.io.threads", "2"),
        Map.entry("num.network.threads", "1"));
  }

  private static Path logDir(Path dataDir) {
    return dataDir.resolve("kafka-logs").toAbsolutePath();
  }

  private static void formatStorage(Path propertiesFile, String clusterId) {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    String[] args = {"format", "-t", clusterId, "-c", propertiesFile.toString()};
    int exitCode;
    try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      exitCode = StorageTool.execute(args, print);
    }
    String said = output.toString(StandardCharsets.UTF_8).trim();
    if (exitCode != 0) {
      throw new IllegalStateException(
          "Formatting the broker storage failed (exit " + exitCode + "): " + said);
    }
    LOG.debug("Storage format: {}", said);
  }

  private static Properties readProperties(Path file) {
    Properties properties = new Properties();
    try (var in = Files.newInputStream(file)) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
    return properties;
  }

  /** A port on 127.0.0.1 free now, for a listener to bind a moment later. */
  public static int freePort() {
    try (ServerSocket socket =
        new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free port on " + HOST, e);
    }
  }
}
