package org.dmp.cli;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.dmp.avro.EventSource;
import org.dmp.avro.VisitEvent;
import org.dmp.schemas.VisitorId;
import org.dmp.schemas.topics.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "privacy",
    description = "Privacy requests.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {PrivacyCommand.OptOut.class})
final class PrivacyCommand {
  private PrivacyCommand() {}

  @Command(
      name = "optout",
      description = {
        "Opts a visitor out, as a call to /demoptout.jpg would: the qualifier deletes their",
        "profile, removes every segment at partners and ignores their later events."
      })
  static final class OptOut implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Option(names = "--uuid", required = true, paramLabel = "ID", description = "The visitor id.")
    private String visitorId;

    @Mixin private KafkaBootstrap kafka;

    @Override
    public Integer call() throws Exception {
      Optional<String> problem = VisitorId.problem("--uuid", visitorId);
      if (problem.isPresent()) {
        throw new ParameterException(spec.commandLine(), problem.get());
      }
      Topics topics = TopicsCommand.configured(System.getenv());
      VisitEvent event =
          VisitEvent.newBuilder()
              .setEventId(UUID.randomUUID().toString())
              .setVisitorId(visitorId)
              .setTime(Clock.systemUTC().instant())
              .setSource(EventSource.OPT_OUT)
              .build();
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
            producer.send(new ProducerRecord<>(topics.visits().name(), visitorId, event)).get();
        spec.commandLine()
            .getOut()
            .println(
                "Opted out visitor "
                    + visitorId
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
}
