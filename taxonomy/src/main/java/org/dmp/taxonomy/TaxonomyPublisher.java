package org.dmp.taxonomy;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.dmp.avro.TaxonomyEntry;
import org.dmp.avro.TaxonomyRevision;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.runtime.kafka.TopicFollower;
import org.dmp.schemas.topics.Topic;

/**
 * Publishes a taxonomy to the compacted taxonomy topic as one transaction: every item, a tombstone
 * for each item the previous revision had and this one lacks, then a revision marker. Readers that
 * read committed records see a whole revision or none of it, and switch at the marker.
 */
public final class TaxonomyPublisher {
  public static final String REVISION_KEY = "revision";
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  private TaxonomyPublisher() {}

  /** What an apply did. */
  public record Applied(long revision, int items, List<String> removed) {}

  /** What the topic holds now: the keys of live items and the last revision. */
  record Current(Set<String> keys, long revision) {}

  public static Applied apply(
      KafkaClients kafka,
      Topic<String, TaxonomyEntry> topic,
      Taxonomy taxonomy,
      String source,
      Clock clock)
      throws InterruptedException, ExecutionException, TimeoutException {
    Current current = current(kafka, topic);
    Map<String, TaxonomyEntry> entries = taxonomy.entries();
    List<String> removed =
        current.keys().stream().filter(key -> !entries.containsKey(key)).sorted().toList();
    long revision = current.revision() + 1;
    TaxonomyEntry marker =
        new TaxonomyEntry(new TaxonomyRevision(revision, clock.instant(), source, entries.size()));

    try (KafkaProducer<String, TaxonomyEntry> producer =
        kafka.producer(
            Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                "dmp-taxonomy-apply-" + UUID.randomUUID(),
                ProducerConfig.ACKS_CONFIG,
                "all"),
            topic.keys().serializer(),
            topic.values().serializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      entries.forEach(
          (key, entry) -> producer.send(new ProducerRecord<>(topic.name(), key, entry)));
      removed.forEach(key -> producer.send(new ProducerRecord<>(topic.name(), key, null)));
      producer.send(new ProducerRecord<>(topic.name(), REVISION_KEY, marker));
      producer.commitTransaction();
    }
    return new Applied(revision, entries.size(), removed);
  }

  static Current current(KafkaClients kafka, Topic<String, TaxonomyEntry> topic)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<String, Boolean> live = new HashMap<>();
    long[] revision = {0};
    TopicFollower follower =
        TopicFollower.start(
            "dmp-taxonomy-reader",
            kafka,
            topic.name(),
            record -> {
              if (record.key() == null) {
                return;
              }
              if (record.key().equals(REVISION_KEY)) {
                TaxonomyEntry entry = topic.values().decode(record.topic(), record.value());
                if (entry != null && entry.getItem() instanceof TaxonomyRevision marker) {
                  revision[0] = Math.max(revision[0], marker.getRevision());
                }
              } else if (record.value() == null) {
                live.remove(record.key());
              } else {
                live.put(record.key(), true);
              }
            });
    try {
      follower.caughtUp().get(READ_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } finally {
      follower.close();
    }
    return new Current(new HashSet<>(live.keySet()), revision[0]);
  }
}
