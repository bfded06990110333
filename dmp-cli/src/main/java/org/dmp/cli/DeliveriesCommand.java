package org.dmp.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dmp.avro.DeliveryAttempt;
import org.dmp.avro.DeliveryOutcome;
import org.dmp.runtime.kafka.VisitorDeliveries;
import org.dmp.schemas.topics.Topic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A visitor's delivery record: every attempt to deliver their changes, from the deliveries topic as
 * it stands now.
 */
@Command(
    name = "deliveries",
    description = {
      "Shows a visitor's delivery record: each attempt to deliver their segment changes to a destination,",
      "oldest first, with its outcome, then a summary. Reads the deliveries topic up to its current end; joins no group."
    })
final class DeliveriesCommand implements Callable<Integer> {
  private static final Duration READ_LIMIT = Duration.ofMinutes(5);

  @Spec private CommandSpec spec;

  @Option(names = "--visitor", required = true, paramLabel = "ID", description = "The visitor id.")
  private String visitorId;

  @Mixin private KafkaBootstrap kafka;

  @Override
  public Integer call() {
    if (visitorId.isBlank()) {
      throw new ParameterException(spec.commandLine(), "--visitor must name a visitor id");
    }
    Topic<String, DeliveryAttempt> deliveries =
        TopicsCommand.configured(System.getenv()).deliveries();
    VisitorDeliveries.Record record =
        VisitorDeliveries.read(kafka.clients(), deliveries, visitorId, READ_LIMIT)
            .orElseThrow(
                () ->
                    new ParameterException(
                        spec.commandLine(),
                        "no topic " + deliveries.name() + " at " + kafka.servers()));
    print(record.attempts(), record.undecodable(), deliveries.name());
    return 0;
  }

  private void print(List<DeliveryAttempt> attempts, int undecodable, String topic) {
    PrintWriter out = spec.commandLine().getOut();
    Map<DeliveryOutcome, Integer> outcomes = new EnumMap<>(DeliveryOutcome.class);
    for (DeliveryAttempt attempt : attempts) {
      outcomes.merge(attempt.getOutcome(), 1, Integer::sum);
      out.printf(
          "%s  destination %d (%s)  attempt %d  %s%s  %d ms  key %s%s%n",
          attempt.getTime(),
          attempt.getDestinationId(),
          attempt.getChannel(),
          attempt.getAttempt(),
          attempt.getOutcome(),
          attempt.getHttpStatus() == null ? "" : " HTTP " + attempt.getHttpStatus(),
          attempt.getLatencyMs(),
          attempt.getIdempotencyKey(),
          attempt.getDetail() == null ? "" : "  " + attempt.getDetail());
    }
    out.printf(
        "Visitor %s: %d attempts in %s (%d delivered, %d retried, %d dead-lettered)%s%n",
        visitorId,
        attempts.size(),
        topic,
        outcomes.getOrDefault(DeliveryOutcome.DELIVERED, 0),
        outcomes.getOrDefault(DeliveryOutcome.RETRYING, 0),
        outcomes.getOrDefault(DeliveryOutcome.DEAD_LETTERED, 0),
        undecodable == 0 ? "" : "; " + undecodable + " records could not be decoded");
    out.flush();
  }
}
