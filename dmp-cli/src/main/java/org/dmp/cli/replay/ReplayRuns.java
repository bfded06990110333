package org.dmp.cli.replay;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.dmp.avro.ReplayRun;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.runtime.kafka.TopicSnapshot;
import org.dmp.schemas.topics.Topics;

/** The runs topic: each run's latest record, keyed by run id. */
final class ReplayRuns {
  private static final Duration READ_LIMIT = Duration.ofMinutes(1);

  private ReplayRuns() {}

  static void write(KafkaClients kafka, Topics topics, ReplayRun run) throws Exception {
    try (KafkaProducer<String, ReplayRun> producer =
        kafka.producer(
            Map.of(ProducerConfig.ACKS_CONFIG, "all"),
            topics.replayRuns().keys().serializer(),
            topics.replayRuns().values().serializer())) {
      producer
          .send(new ProducerRecord<>(topics.replayRuns().name(), run.getRun().toString(), run))
          .get(60, TimeUnit.SECONDS);
    }
  }

  /** Every run, by id, as last recorded. */
  static Map<String, ReplayRun> all(KafkaClients kafka, Topics topics) {
    Map<String, ReplayRun> runs = new TreeMap<>();
    try (KafkaConsumer<String, ReplayRun> consumer =
        kafka.consumer(
            Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
            topics.replayRuns().keys().deserializer(),
            topics.replayRuns().values().deserializer())) {
      TopicSnapshot.read(
          consumer,
          topics.replayRuns().name(),
          READ_LIMIT,
          record -> {
            if (record.value() == null) {
              runs.remove(record.key());
            } else {
              runs.put(record.key(), record.value());
            }
          });
    }
    return runs;
  }
}
