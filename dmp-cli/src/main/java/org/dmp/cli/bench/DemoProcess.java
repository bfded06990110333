package org.dmp.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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

  private final Process process;
  private final int edgePort;
  private final List<URI> services;
  private final String kafka;
  private final Path log;
  private final OperatorToken operator;

  private DemoProcess(
      Process process,
      int edgePort,
      List<URI> services,
      String kafka,
      Path log,
      OperatorToken operator) {
    this.process = process;
    this.operator = operator;
    this.edgePort = edgePort;
    this.services = services;
    this.kafka = kafka;
    this.log = log;
  }

  /**
   * Starts {@code dmp demo} on free ports with its data in {@code dataDir}, and waits for its ready
   * line.
   */
  static DemoProcess start(Path dataDir, Path taxonomy) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "org.dmp.cli.Dmp",
            "demo",
            "--kafka-port",
            "0",
            "--edge-port",
            "0",
            "--partner-port",
            "0",
            "--data-dir",
            dataDir.toString(),
            "--taxonomy",
            taxonomy.toString()));
    Path log = dataDir.resolve("demo.log");
    Files.createDirectories(dataDir);
    String token = UUID.randomUUID().toString();
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put(OperatorToken.VARIABLE, token);
    Process process = builder.start();
    long deadline = System.nanoTime() + START.toNanos();
    while (System.nanoTime() < deadline && process.isAlive()) {
      try (BufferedReader lines = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          Matcher ready = READY.matcher(line);
          if (ready.matches()) {
            int edgePort = Integer.parseInt(ready.group(1));
            List<URI> services =
                List.of(
                    URI.create("http://127.0.0.1:" + edgePort + "/"),
                    URI.create(ready.group(2)),
                    URI.create(ready.group(3)));
            return new DemoProcess(
                process, edgePort, services, ready.group(4), log, OperatorToken.of(token));
          }
        }
      }
      Thread.sleep(200);
    }
    process.destroyForcibly();
    throw new IllegalStateException(
        "dmp demo did not print its ready line within " + START.toSeconds() + " s; see " + log);
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
    return log;
  }

  long pid() {
    return process.pid();
  }

  /** Stops it as Ctrl-C would, and kills it if it has not stopped within a minute. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }
}
