package org.dmp.cli.bench;

import io.vertx.core.json.JsonObject;
import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.dmp.avro.DataSource;
import org.dmp.avro.InboundIds;
import org.dmp.avro.Trait;
import org.dmp.avro.TraitType;
import org.dmp.cli.Dmp;
import org.dmp.cli.TopicsCommand;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.Taxonomy;
import org.dmp.taxonomy.TaxonomyPublisher;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Lines per second of {@code dmp ingest}, the command as users run it, over an inbound file on disk
 * of N lines of three traits each, into an embedded broker; and the heap it peaked at.
 */
@Command(
    name = "ingest",
    description = {
      "Measures dmp ingest over one inbound file of N lines of 3 d_sid traits each (two lines per",
      "user), on disk, into an embedded broker (in memory where /dev/shm exists): parse, resolve and",
      "publish, exactly once. Ends with one JSON line: lines, bytes, seconds, lines_per_s,",
      "peak_heap_mb."
    })
final class IngestBench implements Callable<Integer> {
  private static final long DATA_SOURCE = 20001;
  private static final int TRAITS = 100;

  @Spec private CommandSpec spec;

  @Option(
      names = "--lines",
      description = "Lines in the file (default: ${DEFAULT-VALUE}).",
      defaultValue = "10000000")
  private int lines;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (ScratchDirectory files = ScratchDirectory.onDisk("dmp-bench-ingest-");
        ScratchDirectory kafka = ScratchDirectory.inMemoryIfPossible("dmp-bench-ingest-kafka-");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(kafka.path(), 0, Map.of())) {
      String bootstrap = broker.bootstrapServers();
      Topics topics = TopicsCommand.configured(System.getenv());
      TopicsCommand.createMissing(topics, KafkaClients.of(bootstrap));
      TaxonomyPublisher.apply(
          KafkaClients.of(bootstrap),
          topics.taxonomy(),
          taxonomy(),
          "ingest bench",
          Clock.systemUTC());
      Path file = files.resolve("ftp_dpm_" + DATA_SOURCE + "_1764547200.sync");
      write(file, lines);
      long bytes = Files.size(file);
      out.printf("%,d lines, %,d bytes in %s%n", lines, bytes, file);
      out.flush();

      HeapPeak heap = new HeapPeak().reset();
      StringWriter ingestOut = new StringWriter();
      CommandLine ingest = Dmp.commandLine();
      ingest.setOut(new PrintWriter(ingestOut, true));
      long began = System.nanoTime();
      int exit = ingest.execute("ingest", file.toString(), "--bootstrap", bootstrap);
      double seconds = (System.nanoTime() - began) / 1e9;
      List<String> output = ingestOut.toString().lines().toList();
      JsonObject receipt = new JsonObject(output.get(output.size() - 1));
      if (exit != 0 || receipt.getLong("linesApplied") != lines) {
        out.println("the ingestion failed (exit " + exit + "): " + receipt.encode());
        return 1;
      }
      out.printf(
          "ingested %,d lines in %.1f s: %,.0f lines/s, %.0f MB/s, heap peak %,d MB%n",
          lines, seconds, lines / seconds, bytes / seconds / (1 << 20), heap.megabytes());
      out.println(
          new JsonObject()
              .put("lines", lines)
              .put("bytes", bytes)
              .put("seconds", Math.round(seconds * 10) / 10.0)
              .put("lines_per_s", Math.round(lines / seconds))
              .put("peak_heap_mb", heap.megabytes())
              .encode());
      out.flush();
    }
    return 0;
  }

  private static Taxonomy taxonomy() {
    List<Trait> traits = new ArrayList<>();
    for (int i = 1; i <= TRAITS; i++) {
      traits.add(
          new Trait((long) i, "trait " + i, null, DATA_SOURCE, TraitType.ONBOARDED, null, 30));
    }
    return new Taxonomy(
        List.of(
            new DataSource(DATA_SOURCE, "CRM", null, null, null, InboundIds.PARTNER, List.of())),
        traits,
        List.of(),
        List.of());
  }

  /** Two lines per user, each of three traits. */
  private static void write(Path file, int lines) throws Exception {
    SplittableRandom random = new SplittableRandom(3);
    try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < lines; i++) {
        writer
            .append("crm-")
            .append(Integer.toString(i / 2))
            .append("\td_sid=")
            .append(Integer.toString(1 + random.nextInt(TRAITS)))
            .append(",d_sid=")
            .append(Integer.toString(1 + random.nextInt(TRAITS)))
            .append(",d_sid=")
            .append(Integer.toString(1 + random.nextInt(TRAITS)))
            .append('\n');
      }
    }
  }
}
