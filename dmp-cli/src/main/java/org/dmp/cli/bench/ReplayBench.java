package org.dmp.cli.bench;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dmp.cli.Dmp;
import org.dmp.cli.TopicsCommand;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.runtime.kafka.KafkaClients;
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
      "a difference. Ends with one JSON line: events, dry_run_eps, seconds, peak_heap_mb."
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
      QualifierBench.produce(bootstrap, topics.visits(), events, 100, visitors);
      out.printf("%,d events of %,d visitors, 10,000 traits%n", events, visitors);
      out.flush();

      List<MemoryPoolMXBean> heap =
          ManagementFactory.getMemoryPoolMXBeans().stream()
              .filter(pool -> pool.getType() == MemoryType.HEAP)
              .toList();
      System.gc();
      heap.forEach(MemoryPoolMXBean::resetPeakUsage);
      StringWriter replayOut = new StringWriter();
      CommandLine replay = Dmp.commandLine();
      replay.setOut(new PrintWriter(replayOut, true));
      long began = System.nanoTime();
      int exit =
          replay.execute(
              "replay",
              "--from",
              QualifierBench.EVENTS_FROM.toString(),
              "--dry-run",
              "--bootstrap",
              bootstrap,
              "--state-dir",
              scratch.resolve("replay").toString());
      double seconds = (System.nanoTime() - began) / 1e9;
      long peakHeap = heap.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
      if (exit != 0) {
        out.println("the replay failed (exit " + exit + "); see the log above");
        return exit;
      }
      List<String> lines = replayOut.toString().lines().toList();
      JsonObject result = new JsonObject(lines.get(lines.size() - 1));
      long read = result.getLong("eventsRead");
      out.printf(
          "dry run: %,d records in %.1f s, %,.0f records/s, %,d visitors compared, heap peak %,d MB%n",
          read, seconds, read / seconds, result.getLong("visitorsCompared"), peakHeap >> 20);
      out.println(
          new JsonObject()
              .put("events", events)
              .put("records_read", read)
              .put("dry_run_eps", Math.round(read / seconds))
              .put("seconds", Math.round(seconds * 10) / 10.0)
              .put("visitors_compared", result.getLong("visitorsCompared"))
              .put("peak_heap_mb", peakHeap >> 20)
              .encode());
      out.flush();
    }
    return 0;
  }
}
