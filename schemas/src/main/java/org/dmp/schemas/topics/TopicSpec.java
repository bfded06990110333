package org.dmp.schemas.topics;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * How one topic is to be created.
 *
 * @param retention how long records are kept; empty means forever (and for compacted topics, n/a)
 * @param minCompactionLag for compacted topics, how long every record is kept before compaction may
 *     drop it for a newer one with the same key; empty for the broker's default
 * @param maxCompactionLag for compacted topics, how long a record superseded by a newer one (or by
 *     a tombstone, as at an erasure) may stay before compaction drops it; empty for the broker's
 *     default (no bound)
 * @param maxRecordBytes how long a record its consumers take may be; longer ones they set aside to
 *     the rejected records' topic
 * @param replicas how many copies of each partition the cluster keeps, and how many must have a
 *     write before it counts for a producer that waits for all (every producer of the pipeline)
 */
public record TopicSpec(
    TopicRole role,
    String name,
    int partitions,
    Optional<Duration> retention,
    Optional<Duration> minCompactionLag,
    Optional<Duration> maxCompactionLag,
    int maxRecordBytes,
    Replicas replicas) {
  /**
   * @param factor the replication factor
   * @param minInSync {@code min.insync.replicas}: with {@code factor} 3 and 2 here, a write
   *     survives the loss of a broker, and writing goes on while one is down
   */
  public record Replicas(short factor, int minInSync) {
    public Replicas {
      if (factor < 1 || minInSync < 1 || minInSync > factor) {
        throw new IllegalArgumentException(
            "replicas need 1 <= min.insync.replicas <= replication factor, was "
                + minInSync
                + " of "
                + factor);
      }
    }
  }

  public TopicSpec {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(minCompactionLag, "minCompactionLag");
    Objects.requireNonNull(maxCompactionLag, "maxCompactionLag");
    Objects.requireNonNull(replicas, "replicas");
  }

  public NewTopic newTopic() {
    Map<String, String> configs = new HashMap<>();
    configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(replicas.minInSync()));
    if (role.compacted()) {
      configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
      minCompactionLag.ifPresent(
          lag ->
              configs.put(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Long.toString(lag.toMillis())));
      maxCompactionLag.ifPresent(
          lag ->
              configs.put(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, Long.toString(lag.toMillis())));
    } else {
      configs.put(
          TopicConfig.RETENTION_MS_CONFIG,
          Long.toString(retention.map(Duration::toMillis).orElse(-1L)));
    }
    return new NewTopic(name, Optional.of(partitions), Optional.of(replicas.factor()))
        .configs(configs);
  }
}
