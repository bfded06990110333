package org.dmp.sync.destination;

import java.util.Objects;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.topics.Topics;

/**
 * How every destination reads the segment topic: the cluster and topics, its consumer group, and
 * where a group without a committed position starts.
 *
 * @param groupPrefix a destination's group is this prefix and its id
 * @param instanceId this process among those running the same destinations
 * @param startFromEarliest where a destination's group starts without a committed position
 */
public record ReadingSettings(
    KafkaClients kafka,
    Topics topics,
    String groupPrefix,
    String instanceId,
    boolean startFromEarliest) {
  public ReadingSettings {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(groupPrefix, "groupPrefix");
    Objects.requireNonNull(instanceId, "instanceId");
  }

  /** The consumer group of one destination. */
  public String groupOf(long destinationId) {
    return groupPrefix + destinationId;
  }

  /**
   * This instance in a destination's group: its static member id, client id and transactional id.
   */
  public String memberOf(long destinationId) {
    return groupOf(destinationId) + "-" + instanceId;
  }
}
