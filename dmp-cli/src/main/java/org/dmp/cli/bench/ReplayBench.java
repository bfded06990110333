package org.dmp.cli.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.dmp.cli.Dmp;
import org.dmp.cli.TopicsCommand;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.qualifier.QualifierConfig;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.TaxonomyPublisher;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Events per second of a replay's dry run, the command as users run it, over the qualifier bench's
 * events and its 10,000-trait taxonomy, on an embedded broker; and the heap it peaked at.
 */
@Command(
    name = "replay",
    description = {
      "Measures a replay dry run (dmp replay --dry-run) over N events with the 10,000-trait taxonomy of",
      "the qualifier bench, on an embedded broker. No qualifier runs, so every member the replay finds is",
      "a difference. With --apply, the differences are then applied to a live qualifier. Ends with one",
      "JSON line: events, dry_run_eps, seconds, peak_heap_mb (and with --apply corrections,",
      "difference_share, apply_corrections_per_second)."
    })
final class ReplayBench implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = "--events",
      description = "Events in the log (default: ${DEFAULT-VALUE}).",
      defaultValue = "2000000")
  private int events;

  @Option(
      names = "--visitors",
      description = "Distinct visitors (default: ${DEFAULT-VALUE}).",
      defaultValue = "50000")
  private int visitors;

  @Option(
      names = "--apply",
      description =
          "Then apply the run's differences to a live qualifier started at the end of the log, and"
              + " measure corrections/s (written and applied).")
  private boolean apply;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (ScratchDirectory scratch = ScratchDirectory.onDisk("dmp-bench-replay-");
        EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(scratch.resolve("kafka"), 0, Map.of())) {
      String bootstrap = broker.bootstrapServers();
      Topics topics = TopicsCommand.configured(System.getenv());
      TopicsCommand.createMissing(topics, KafkaClients.of(bootstrap));
      TaxonomyPublisher.apply(
          KafkaClients.of(bootstrap),
          topics.taxonomy(),
          QualifierBench.taxonomy(10_000),
          "10,000 traits",
          Clock.systemUTC());
      // Events 10 ms apart that end a minute before the run, as a backfill up to the present
      // reads them: with older ones the run's end tick would move every profile on across the
      // gap (recency windows), a cost of the calendar day the bench runs on.
      Instant from =
          Instant.now()
              .minusMillis(events * QualifierBench.EVENT_SPACING_MILLIS)
              .minus(Duration.ofMinutes(1))
              .truncatedTo(ChronoUnit.SECONDS);
      QualifierBench.produce(bootstrap, topics.visits(), from, events, 100, visitors);
      out.printf("%,d events of %,d visitors, 10,000 traits%n", events, visitors);
      out.flush();

      HeapPeak heap = new HeapPeak().reset();
      StringWriter replayOut = new StringWriter();
      CommandLine replay = Dmp.commandLine();
      replay.setOut(new PrintWriter(replayOut, true));
      long began = System.nanoTime();
      int exit =
          replay.execute(
              "replay",
              "--from",
              from.toString(),
              "--dry-run",
              "--bootstrap",
              bootstrap,
              "--state-dir",
              scratch.resolve("replay").toString());
      double seconds = (System.nanoTime() - began) / 1e9;
      long peakHeap = heap.megabytes();
      if (exit != 0) {
        out.println("the replay failed (exit " + exit + "); see the log above");
        return exit;
      }
      List<String> lines = replayOut.toString().lines().toList();
      JsonObject result = new JsonObject(lines.get(lines.size() - 1));
      long read = result.getLong("eventsRead");
      out.printf(
          "dry run: %,d records in %.1f s, %,.0f records/s, %,d visitors compared, heap peak %,d MB%n",
          read, seconds, read / seconds, result.getLong("visitorsCompared"), peakHeap);
      JsonObject summary =
          new JsonObject()
              .put("events", events)
              .put("records_read", read)
              .put("dry_run_eps", Math.round(read / seconds))
              .put("seconds", Math.round(seconds * 10) / 10.0)
              .put("visitors_compared", result.getLong("visitorsCompared"))
              .put("peak_heap_mb", peakHeap);
      if (apply) {
        applyRun(bootstrap, topics, scratch, result, summary);
      }
      out.println(summary.encode());
      out.flush();
    }
    return 0;
  }

  /**
   * Applies the run to a live qualifier that starts at the end of the log with no profiles, so that
   * what is measured is the corrections alone: written, read and applied.
   */
  private void applyRun(
      String bootstrap, Topics topics, ScratchDirectory scratch, JsonObject run, JsonObject summary)
      throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    QualifierConfig config = EdgeBench.qualifierConfig(bootstrap, scratch);
    try (Admin admin = KafkaClients.of(bootstrap).admin(Map.of())) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int partition = 0; partition < topics.spec(TopicRole.VISITS).partitions(); partition++) {
        latest.put(new TopicPartition(topics.visits().name(), partition), OffsetSpec.latest());
      }
      Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
      admin
          .listOffsets(latest)
          .all()
          .get(60, TimeUnit.SECONDS)
          .forEach((partition, end) -> ends.put(partition, new OffsetAndMetadata(end.offset())));
      admin.alterConsumerGroupOffsets(config.applicationId(), ends).all().get(60, TimeUnit.SECONDS);
    }
    Vertx vertx = Vertx.vertx();
    try {
      EdgeBench.startQualifier(vertx, config);
      StringWriter applyOut = new StringWriter();
      CommandLine command = Dmp.commandLine();
      command.setOut(new PrintWriter(applyOut, true));
      long began = System.nanoTime();
      int exit =
          command.execute(
              "replay", "--apply", run.getString("run"), "--bootstrap", bootstrap, "--wait", "1h");
      double seconds = (System.nanoTime() - began) / 1e9;
      List<String> lines = applyOut.toString().lines().toList();
      JsonObject applied = new JsonObject(lines.get(lines.size() - 1));
      if (exit != 0) {
        throw new IllegalStateException("the apply failed (exit " + exit + "): " + applied);
      }
      long corrections = applied.getLong("corrections");
      double share = corrections / (double) Math.max(1, run.getLong("visitorsCompared"));
      out.printf(
          "apply: %,d corrections (%.0f%% of the visitors compared differ) in %.1f s, %,.0f/s%n",
          corrections, share * 100, seconds, corrections / seconds);
      summary
          .put("corrections", corrections)
          .put("difference_share", Math.round(share * 1000) / 1000.0)
          .put("apply_seconds", Math.round(seconds * 10) / 10.0)
          .put("apply_corrections_per_second", Math.round(corrections / seconds));
    } finally {
      MainThread.await(vertx.close(), Duration.ofSeconds(60), "stopping the qualifier");
    }
  }
}
