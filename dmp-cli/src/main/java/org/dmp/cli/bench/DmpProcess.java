package org.dmp.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * One {@code dmp} command in a process of its own, with this JVM's options and class path, its
 * output appended to a log file: a broker or a service of a composition that a benchmark kills and
 * starts again.
 */
final class DmpProcess implements AutoCloseable {
  private final String name;
  private final List<String> jvmOptions;
  private final List<String> args;
  private final Map<String, String> env;
  private final Path log;
  private Process process;

  private DmpProcess(
      String name, List<String> jvmOptions, List<String> args, Map<String, String> env, Path log) {
    this.name = name;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.args = List.copyOf(args);
    this.env = Map.copyOf(env);
    this.log = log;
  }

  /**
   * Starts {@code dmp args...}; {@link #restart()} starts it again with the same.
   *
   * @param jvmOptions options for its JVM beyond this one's
   */
  static DmpProcess start(
      String name, List<String> jvmOptions, List<String> args, Map<String, String> env, Path log)
      throws IOException {
    DmpProcess started = new DmpProcess(name, jvmOptions, args, env, log);
    started.launch();
    return started;
  }

  private void launch() throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.dmp.cli.Dmp"));
    command.addAll(args);
    Files.createDirectories(log.getParent());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    process = builder.start();
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  /** kill -9, and waits until it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
  }

  void restart() throws IOException {
    launch();
  }

  /**
   * Waits until the log has a line matching {@code line} after its first {@code from} lines.
   *
   * @return the line
   */
  String awaitLine(Pattern line, int from, Duration limit)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + process.exitValue() + "; see " + log);
      }
      if (Files.exists(log)) {
        try (BufferedReader lines = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
          int read = 0;
          for (String text = lines.readLine(); text != null; text = lines.readLine()) {
            if (read++ >= from && line.matcher(text).find()) {
              return text;
            }
          }
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        name + " did not log /" + line + "/ within " + limit.toSeconds() + " s; see " + log);
  }

  /** How many lines the log has: where to look from for what a restart logs. */
  int logLines() throws IOException {
    if (!Files.exists(log)) {
      return 0;
    }
    try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
      return (int) lines.count();
    }
  }

  /** Waits until {@code /health/ready} on the port answers 200. */
  void awaitReady(int port, Duration limit) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI ready = URI.create("http://127.0.0.1:" + port + "/health/ready");
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + process.exitValue() + "; see " + log);
      }
      try {
        HttpResponse<Void> answer =
            http.send(
                HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (answer.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        name + " was not ready within " + limit.toSeconds() + " s; see " + log);
  }

  /** Stops it as Ctrl-C would, and kills it if it has not stopped within a minute. */
  @Override
  public void close() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }
}
