package org.dmp.inbound.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.dmp.avro.InboundFile;
import org.dmp.inbound.ingest.Ingestion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A folder that inbound files are renamed into when complete: each is ingested, on a thread of its
 * own (files are read and Kafka transactions committed, which blocks), one at a time in name order,
 * then moved to {@code processed/}; its receipt is in {@code receipts/}. A file that cannot be
 * ingested now (Kafka away, say) stays and is tried again at the next look.
 */
final class Inbox implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Inbox.class);
  private static final List<String> IN_PROGRESS = List.of(".partial", ".tmp", ".filepart");

  private final Path folder;
  private final Ingestion ingestion;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread named = new Thread(runnable, "dmp-inbox");
            named.setDaemon(true);
            return named;
          });

  Inbox(Path folder, Ingestion ingestion) throws IOException {
    this.folder = folder.toAbsolutePath();
    this.ingestion = ingestion;
    Files.createDirectories(this.folder.resolve("processed"));
    Files.createDirectories(this.folder.resolve("receipts"));
  }

  Path folder() {
    return folder;
  }

  void start(Duration every) {
    thread.scheduleWithFixedDelay(this::look, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Looks at once, as after an upload, rather than at the next tick. */
  void lookSoon() {
    thread.execute(this::look);
  }

  private void look() {
    List<Path> complete;
    try (Stream<Path> files = Files.list(folder)) {
      complete = files.filter(Files::isRegularFile).filter(Inbox::complete).sorted().toList();
    } catch (IOException e) {
      LOG.warn("Cannot list the inbox {}: {}", folder, e.toString());
      return;
    }
    for (Path file : complete) {
      try {
        Ingestion.Outcome outcome = ingestion.ingest(file, (read, bytes, lines) -> {});
        InboundFile receipt = outcome.receipt();
        Files.move(
            file,
            folder.resolve("processed").resolve(file.getFileName()),
            StandardCopyOption.REPLACE_EXISTING);
        LOG.info(
            "{}: {}{}, {} lines applied, {} rejected",
            file.getFileName(),
            receipt.getState(),
            outcome.already() ? " before (nothing applied again)" : "",
            receipt.getLinesApplied(),
            receipt.getLinesRejected());
      } catch (Exception e) {
        LOG.warn("{} stays in the inbox, to be tried again: {}", file.getFileName(), e.toString());
      }
    }
  }

  private static boolean complete(Path file) {
    String name = file.getFileName().toString();
    return !name.startsWith(".") && IN_PROGRESS.stream().noneMatch(name::endsWith);
  }

  @Override
  public void close() throws InterruptedException {
    thread.shutdownNow();
    thread.awaitTermination(30, TimeUnit.SECONDS);
  }
}
