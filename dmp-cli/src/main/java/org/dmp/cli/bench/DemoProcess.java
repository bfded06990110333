package org.dmp.cli.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dmp.runtime.OperatorToken;

/**
 * The composition users run, {@code dmp demo}, in a process of its own with this JVM's options, so
 * that a benchmark drives it from outside as a user's traffic would. Its output goes to a log file.
 */
final class DemoProcess implements AutoCloseable {
  private static final Pattern READY =
      Pattern.compile(
          "^DMP ready: dcs-edge=http://[^:]+:(\\d+)/ qualifier=(\\S+) partner-sync=(\\S+) .*\\bkafka=(\\S+)$");
  private static final Duration START = Duration.ofMinutes(2);

  private final DmpProcess process;
  private final int edgePort;
  private final List<URI> services;
  private final String kafka;
  private final OperatorToken operator;

  private DemoProcess(
      DmpProcess process, int edgePort, List<URI> services, String kafka, OperatorToken operator) {
    this.process = process;
    this.operator = operator;
    this.edgePort = edgePort;
    this.services = services;
    this.kafka = kafka;
  }

  /**
   * Starts {@code dmp demo} on free ports with its data in {@code dataDir}, and waits for its ready
   * line.
   */
  static DemoProcess start(Path dataDir, Path taxonomy) throws IOException, InterruptedException {
    String token = UUID.randomUUID().toString();
    DmpProcess process =
        DmpProcess.start(
            "dmp demo",
            List.of(),
            List.of(
                "demo",
                "--kafka-port",
                "0",
                "--edge-port",
                "0",
                "--partner-port",
                "0",
                "--console-port",
                "0",
                "--shop-port",
                "0",
                "--data-dir",
                dataDir.toString(),
                "--taxonomy",
                taxonomy.toString()),
            Map.of(OperatorToken.VARIABLE, token),
            dataDir.resolve("demo.log"));
    try {
      Matcher ready = READY.matcher(process.awaitLine(READY, 0, START));
      if (!ready.find()) {
        throw new IllegalStateException("the ready line stopped matching what found it");
      }
      int edgePort = Integer.parseInt(ready.group(1));
      List<URI> services =
          List.of(
              URI.create("http://127.0.0.1:" + edgePort + "/"),
              URI.create(ready.group(2)),
              URI.create(ready.group(3)));
      return new DemoProcess(process, edgePort, services, ready.group(4), OperatorToken.of(token));
    } catch (IOException | InterruptedException | RuntimeException failed) {
      process.kill();
      throw failed;
    }
  }

  int edgePort() {
    return edgePort;
  }

  /** The base URLs of the edge, the qualifier and partner sync. */
  List<URI> services() {
    return services;
  }

  String kafka() {
    return kafka;
  }

  /** What the services' operator endpoints require. */
  OperatorToken operator() {
    return operator;
  }

  Path log() {
    return process.log();
  }

  long pid() {
    return process.pid();
  }

  /** Stops it as Ctrl-C would, and kills it if it has not stopped within a minute. */
  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
