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
 */
public record TopicSpec(
    TopicRole role,
    String name,
    int partitions,
    Optional<Duration> retention,
    Optional<Duration> minCompactionLag,
    Optional<Duration> maxCompactionLag,
    int maxRecordBytes) {
  public TopicSpec {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(minCompactionLag, "minCompactionLag");
    Objects.requireNonNull(maxCompactionLag, "maxCompactionLag");
  }

  /** The topic on a cluster whose replication factor is the broker's default. */
  public NewTopic newTopic() {
    Map<String, String> configs = new HashMap<>();
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
    return new NewTopic(name, Optional.of(partitions), Optional.empty()).configs(configs);
  }
}
