package org.dmp.cli.privacy;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.dmp.avro.VisitEvent;
import org.dmp.cli.KafkaConnection;
import org.dmp.config.ConfigException;
import org.dmp.schemas.topics.Topics;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "privacy",
    description = "Privacy requests: opt-out, erasure, and a check of what is still held.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
      PrivacyCommand.OptOut.class,
      PrivacyCommand.Delete.class,
      PrivacyCommand.Verify.class
    })
public final class PrivacyCommand {
  private PrivacyCommand() {}

  @Command(
      name = "optout",
      description = {
        "Opts a visitor out, as a call to /demoptout.jpg would: the qualifier removes every",
        "segment at partners, erases what it held of the visitor (as delete does) and ignores",
        "their later events. By declared id: every visitor the id was synced with, and later."
      })
  static final class OptOut extends Request {
    OptOut() {
      super("Opted out");
    }
  }

  @Command(
      name = "delete",
      description = {
        "Erases a visitor (by declared id: every visitor the id was synced with): the profile,",
        "its id map entries, its segments record (a tombstone) and its entries in every state",
        "store go, partners receive the removals, and later events are ignored, as after an",
        "opt-out. Raw events in dmp.visits go at the topic's retention (topic.visits.retention).",
        "Check with `dmp privacy verify`."
      })
  static final class Delete extends Request {
    Delete() {
      super("Erasure requested for");
    }
  }

  /** An opt-out event on the event log; the qualifier does the rest, in order with the visits. */
  abstract static class Request implements Callable<Integer> {
    private final String done;

    @Spec private CommandSpec spec;

    @ArgGroup(multiplicity = "1")
    private DataSubject subject;

    @Mixin private KafkaConnection kafka;

    Request(String done) {
      this.done = done;
    }

    @Override
    public Integer call() throws Exception {
      Topics topics = valid(spec, subject, kafka);
      VisitEvent event = subject.optOut(Clock.systemUTC().instant());
      try (var producer =
          kafka
              .clients()
              .producer(
                  Map.<String, Object>of(
                      ProducerConfig.ACKS_CONFIG,
                      "all",
                      ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                      true),
                  topics.visits().keys().serializer(),
                  topics.visits().values().serializer())) {
        RecordMetadata written =
            producer.send(new ProducerRecord<>(topics.visits().name(), subject.key(), event)).get();
        spec.commandLine()
            .getOut()
            .println(
                done
                    + " "
                    + subject
                    + ": event "
                    + event.getEventId()
                    + " at "
                    + written.topic()
                    + "-"
                    + written.partition()
                    + "@"
                    + written.offset());
      }
      return 0;
    }
  }

  @Command(
      name = "verify",
      description = {
        "Reports what the cluster still holds about a visitor or declared id: current records",
        "of every compacted topic (segments, id map, every state store's changelog) that are",
        "about it. Exit 0: nothing held but opt-out marks; 1: something held. Also reports",
        "superseded records that compaction will drop, and how long the logs keep raw events."
      })
  static final class Verify implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @ArgGroup(multiplicity = "1")
    private DataSubject subject;

    @Mixin private KafkaConnection kafka;

    @Option(
        names = "--logs",
        description =
            "Read the logs too (dmp.visits, dmp.deliveries, dmp.deadletter, ... and replay runs'"
                + " topics), which may take long.")
    private boolean readLogs;

    @Option(
        names = "--timeout",
        paramLabel = "DURATION",
        defaultValue = "PT5M",
        description = "How long to read each topic at most, ISO-8601 (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Override
    public Integer call() throws Exception {
      Topics topics = valid(spec, subject, kafka);
      HeldData.Report report =
          new HeldData(kafka.clients(), topics, subject.needles(), timeout).scan(readLogs);
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          report.held().isEmpty()
              ? "Nothing held about " + subject + "."
              : "Held about " + subject + ": " + report.held().size() + " current records");
      report.held().forEach(place -> out.println("  held: " + place));
      report
          .marks()
          .forEach(
              place ->
                  out.println("  opt-out mark (kept so the choice holds; nothing else): " + place));
      report
          .superseded()
          .forEach(
              kept ->
                  out.println(
                      "  superseded, until compaction"
                          + within(kept.goneWithin())
                          + ": "
                          + kept.topic()
                          + " "
                          + kept.records()
                          + " records"));
      report
          .logs()
          .forEach(
              kept ->
                  out.println(
                      "  log"
                          + within(kept.goneWithin())
                          + ": "
                          + kept.topic()
                          + (kept.records() < 0
                              ? " (not read)"
                              : " " + kept.records() + " records")));
      report
          .unfinished()
          .forEach(topic -> out.println("  not read to its end within " + timeout + ": " + topic));
      return report.held().isEmpty() && report.unfinished().isEmpty() ? 0 : 1;
    }

    private static String within(Optional<Duration> bound) {
      return bound.map(duration -> " (gone within " + duration + ")").orElse(" (no time bound)");
    }
  }

  private static Topics valid(CommandSpec spec, DataSubject subject, KafkaConnection kafka) {
    Optional<String> problem = subject.problem();
    if (problem.isPresent()) {
      throw new ParameterException(spec.commandLine(), problem.get());
    }
    try {
      return kafka.topics();
    } catch (ConfigException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
