package org.dmp.runtime.replay;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.dmp.avro.ReplayDifference;
import org.dmp.avro.ReplayRun;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.runtime.kafka.TopicSnapshot;
import org.dmp.schemas.serde.AvroSerde;
import org.dmp.schemas.serde.RecordDecodingException;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replay runs as their topics hold them: the runs topic (each run's latest record, keyed by run id)
 * and each run's differences topic, beside it. For {@code dmp replay} and the console. Blocks.
 */
public final class ReplayRuns {
  private static final Logger LOG = LoggerFactory.getLogger(ReplayRuns.class);
  private static final Duration READ_LIMIT = Duration.ofMinutes(1);
  private static final Duration DIFFERENCES_READ_LIMIT = Duration.ofHours(1);
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private ReplayRuns() {}

  public static void write(KafkaClients kafka, Topics topics, ReplayRun run) throws Exception {
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

  /**
   * The prefix of every run's own topics: the runs topic's name up to its last dot ({@code
   * dmp.replay.}).
   */
  public static String runTopicsPrefix(Topics topics) {
    String runs = topics.name(TopicRole.REPLAY_RUNS);
    int lastDot = runs.lastIndexOf('.');
    return lastDot < 0 ? runs + "." : runs.substring(0, lastDot + 1);
  }

  /** The topic a run writes its differences to: beside the runs topic, named after the run. */
  public static String differencesTopic(Topics topics, String runId) {
    return runTopicsPrefix(topics) + runId;
  }

  /** A run's differences, by visitor: what its topic holds. */
  public static Map<String, ReplayDifference> differences(
      KafkaClients kafka, Topics topics, ReplayRun run) {
    Map<String, ReplayDifference> differences = new TreeMap<>();
    try (KafkaConsumer<String, ReplayDifference> consumer =
        TopicSnapshot.consumer(
            kafka, new StringDeserializer(), AvroSerde.of(ReplayDifference.class).deserializer())) {
      TopicSnapshot.read(
          consumer,
          differencesTopic(topics, run.getRun().toString()),
          DIFFERENCES_READ_LIMIT,
          record -> {
            if (record.value() == null) {
              differences.remove(record.key());
            } else {
              differences.put(record.key(), record.value());
            }
          });
    }
    return differences;
  }

  /**
   * Every run, by id, as last recorded. A record that cannot be decoded (written with a schema this
   * version does not know) is left out, and said so once, rather than failing every command.
   */
  public static Map<String, ReplayRun> all(KafkaClients kafka, Topics topics) {
    Map<String, ReplayRun> runs = new TreeMap<>();
    String name = topics.replayRuns().name();
    int[] undecodable = {0};
    try (KafkaConsumer<String, byte[]> consumer =
        TopicSnapshot.consumer(kafka, new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicSnapshot.read(
          consumer,
          name,
          READ_LIMIT,
          record -> {
            if (record.value() == null) {
              runs.remove(record.key());
              return;
            }
            try {
              runs.put(record.key(), topics.replayRuns().values().decode(name, record.value()));
            } catch (RecordDecodingException e) {
              undecodable[0]++;
            }
          });
    }
    if (undecodable[0] > 0 && WARNED.compareAndSet(false, true)) {
      LOG.warn("{} records of {} could not be decoded and are left out", undecodable[0], name);
    }
    return runs;
  }
}
