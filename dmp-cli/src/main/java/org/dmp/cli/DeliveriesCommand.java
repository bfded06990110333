package org.dmp.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.dmp.avro.DeliveryAttempt;
import org.dmp.avro.DeliveryOutcome;
import org.dmp.runtime.kafka.TopicSnapshot;
import org.dmp.schemas.serde.RecordDecodingException;
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
    String topic = deliveries.name();
    List<DeliveryAttempt> attempts = new ArrayList<>();
    int[] undecodable = {0};
    try (KafkaConsumer<String, byte[]> consumer =
        TopicSnapshot.consumer(
            kafka.clients(), new StringDeserializer(), new ByteArrayDeserializer())) {
      boolean exists =
          TopicSnapshot.read(
              consumer,
              topic,
              READ_LIMIT,
              record -> {
                try {
                  DeliveryAttempt attempt = deliveries.values().decode(topic, record.value());
                  if (attempt != null && attempt.getVisitorIds().contains(visitorId)) {
                    attempts.add(attempt);
                  }
                } catch (RecordDecodingException e) {
                  undecodable[0]++;
                }
              });
      if (!exists) {
        throw new ParameterException(
            spec.commandLine(), "no topic " + topic + " at " + kafka.servers());
      }
    }
    print(attempts, undecodable[0], topic);
    return 0;
  }

  private void print(List<DeliveryAttempt> attempts, int undecodable, String topic) {
    PrintWriter out = spec.commandLine().getOut();
    Map<DeliveryOutcome, Integer> outcomes = new EnumMap<>(DeliveryOutcome.class);
    attempts.sort(java.util.Comparator.comparing(DeliveryAttempt::getTime));
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
