package org.dmp.cli;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.dmp.avro.InboundState;
import org.dmp.inbound.ingest.Ingestion;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.TaxonomyView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "ingest",
    description = {
      "Ingests Audience Manager inbound data files (ftp_dpm_<DPID>[_<target DPID>]_<unix seconds>",
      "(.sync|.overwrite)[.<split>][.gz]) into the event log, each exactly once: a file ingested",
      "before applies nothing again, and one stopped midway goes on where it stopped.",
      "Each file's receipt goes to receipts/<file>.json beside it and to dmp.inbound.files; the",
      "command prints it as one JSON line. Exit status 1 when a file was refused or could not be",
      "read to its end (rejected lines alone do not fail it)."
    })
final class IngestCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Inbound data files.")
  private List<Path> files;

  @Option(
      names = "--lines-per-transaction",
      description =
          "Lines each Kafka transaction covers: what a killed ingestion reads again"
              + " (default: ${DEFAULT-VALUE}).",
      defaultValue = "500000")
  private int linesPerTransaction;

  @Mixin private KafkaConnection kafka;

  @Override
  public Integer call() throws Exception {
    for (Path file : files) {
      if (!Files.isRegularFile(file)) {
        throw new ParameterException(spec.commandLine(), file + ": no such file");
      }
    }
    if (linesPerTransaction < 1) {
      throw new ParameterException(
          spec.commandLine(), "--lines-per-transaction must be at least 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    Topics topics = kafka.topics();
    boolean terminal = System.console() != null;
    int status = 0;
    try (TaxonomyView taxonomy =
        TaxonomyView.follow("dmp-ingest-taxonomy", kafka.clients(), topics.taxonomy())) {
      taxonomy.caughtUp().get(60, TimeUnit.SECONDS);
      Ingestion ingestion =
          new Ingestion(kafka.clients(), topics, taxonomy, Clock.systemUTC(), linesPerTransaction);
      for (Path file : files) {
        long began = System.nanoTime();
        Ingestion.Outcome outcome =
            ingestion.ingest(file, new BytesProgress(out, terminal, file, began));
        JsonObject receipt = Ingestion.json(outcome.receipt());
        if (outcome.already()) {
          receipt.put("already", true);
          out.println(
              file.getFileName() + ": ingested before (same name and md5); nothing applied again");
        }
        out.println(receipt.encode());
        out.flush();
        if (outcome.receipt().getState() != InboundState.DONE) {
          status = 1;
        }
      }
    }
    return status;
  }

  /** Bytes read as a bar on a terminal, else as JSON status lines. */
  private record BytesProgress(PrintWriter out, boolean terminal, Path file, long began)
      implements Ingestion.Listener {
    private static final int BAR = 30;

    @Override
    public void progress(long bytesRead, long bytes, long linesRead) {
      double seconds = Math.max(System.nanoTime() - began, 1_000_000) / 1e9;
      long linesPerSecond = Math.round(linesRead / seconds);
      double bytesPerSecond = bytesRead / seconds;
      long secondsLeft =
          bytesPerSecond <= 0 ? -1 : Math.round((bytes - bytesRead) / bytesPerSecond);
      if (terminal) {
        int filled = bytes == 0 ? BAR : (int) (BAR * Math.min(bytesRead, bytes) / bytes);
        out.printf(
            "\r%s [%s%s] %,d of %,d bytes, %,d lines, %,d lines/s, %s left   ",
            file.getFileName(),
            "#".repeat(filled),
            ".".repeat(BAR - filled),
            bytesRead,
            bytes,
            linesRead,
            linesPerSecond,
            secondsLeft < 0 ? "?" : secondsLeft + " s");
        if (bytesRead >= bytes) {
          out.println();
        }
      } else {
        out.println(
            new JsonObject()
                .put("file", file.getFileName().toString())
                .put("state", "INGESTING")
                .put("bytesRead", bytesRead)
                .put("bytes", bytes)
                .put("linesRead", linesRead)
                .put("linesPerSecond", linesPerSecond)
                .put("secondsLeft", secondsLeft)
                .encode());
      }
      out.flush();
    }
  }
}
