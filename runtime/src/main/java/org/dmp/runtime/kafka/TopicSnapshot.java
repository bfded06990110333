package org.dmp.runtime.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a topic once, from its beginning to the ends it had when reading began: a compacted topic
 * as a table (the latest record per key wins), or the past of a log.
 */
public final class TopicSnapshot {
  private static final Duration POLL = Duration.ofMillis(200);

  private TopicSnapshot() {}

  /**
   * A consumer to read snapshots with: it joins no group (so commits nothing), sees only committed
   * transactions, and takes large polls.
   */
  public static <K, V> KafkaConsumer<K, V> consumer(
      KafkaClients kafka, Deserializer<K> keys, Deserializer<V> values) {
    return kafka.consumer(
        Map.of(
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false,
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
            5_000),
        keys,
        values);
  }

  /**
   * @param limit how long to read at most; what was read by then has been handled
   * @return false when the topic has no partitions (it does not exist)
   */
  public static <K, V> boolean read(
      KafkaConsumer<K, V> consumer,
      String topic,
      Duration limit,
      Consumer<ConsumerRecord<K, V>> handler) {
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
            .map(info -> new TopicPartition(topic, info.partition()))
            .toList();
    if (partitions.isEmpty()) {
      return false;
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
    long deadline = System.nanoTime() + limit.toNanos();
    while (partitions.stream()
            .anyMatch(partition -> consumer.position(partition) < ends.get(partition))
        && System.nanoTime() < deadline) {
      consumer.poll(POLL).forEach(handler);
    }
    return true;
  }
}
