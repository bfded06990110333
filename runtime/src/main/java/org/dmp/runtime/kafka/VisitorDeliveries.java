package org.dmp.runtime.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.dmp.avro.DeliveryAttempt;
import org.dmp.schemas.serde.RecordDecodingException;
import org.dmp.schemas.topics.Topic;

/**
 * A visitor's delivery record: every attempt to deliver their changes, read from the deliveries
 * topic (which partner sync writes, one record per attempt, naming the visitors it carried), oldest
 * first. It reads the whole topic: for operators looking one visitor up ({@code dmp deliveries},
 * the console), not for a hot path. Blocks.
 */
public final class VisitorDeliveries {
  private VisitorDeliveries() {}

  /**
   * @param attempts oldest first
   * @param undecodable records of the topic that could not be decoded
   */
  public record Record(List<DeliveryAttempt> attempts, int undecodable) {}

  /**
   * @param limit how long to read at most
   * @return empty when the topic does not exist
   */
  public static Optional<Record> read(
      KafkaClients kafka,
      Topic<String, DeliveryAttempt> deliveries,
      String visitorId,
      Duration limit) {
    String topic = deliveries.name();
    List<DeliveryAttempt> attempts = new ArrayList<>();
    int[] undecodable = {0};
    try (KafkaConsumer<String, byte[]> consumer =
        TopicSnapshot.consumer(kafka, new StringDeserializer(), new ByteArrayDeserializer())) {
      boolean exists =
          TopicSnapshot.read(
              consumer,
              topic,
              limit,
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
        return Optional.empty();
      }
    }
    attempts.sort(Comparator.comparing(DeliveryAttempt::getTime));
    return Optional.of(new Record(attempts, undecodable[0]));
  }
}
