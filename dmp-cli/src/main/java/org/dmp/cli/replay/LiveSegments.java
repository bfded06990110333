package org.dmp.cli.replay;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiPredicate;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.dmp.avro.ProfileUpdate;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.runtime.kafka.TopicSnapshot;
import org.dmp.schemas.topics.Topics;

/**
 * The live membership: the latest update of each visitor on the segments topic, which is compacted,
 * so it holds every visitor's latest update however old.
 */
final class LiveSegments {
  private static final Duration READ_LIMIT = Duration.ofHours(1);

  private LiveSegments() {}

  /**
   * @param wanted which visitors to keep, judged on their latest update
   */
  static Map<String, ProfileUpdate> latest(
      KafkaClients kafka, Topics topics, BiPredicate<String, ProfileUpdate> wanted) {
    Map<String, ProfileUpdate> latest = new HashMap<>();
    try (KafkaConsumer<String, ProfileUpdate> consumer =
        TopicSnapshot.consumer(
            kafka,
            topics.segments().keys().deserializer(),
            topics.segments().values().deserializer())) {
      TopicSnapshot.read(
          consumer,
          topics.segments().name(),
          READ_LIMIT,
          record -> {
            ProfileUpdate update = record.value();
            if (update == null || !wanted.test(record.key(), update)) {
              latest.remove(record.key());
            } else {
              latest.put(record.key(), update);
            }
          });
    }
    return latest;
  }
}
