package org.dmp.sync.destination;

import io.vertx.core.json.JsonArray;
import java.util.Collection;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * How one kind of destination delivers what is read for it: real-time HTTP, a Kafka topic, or batch
 * files. A {@link DestinationConsumer} hosts one channel and calls it on its reading thread; the
 * channel reaches the consumer and what else it shares through the {@link ChannelHost}.
 */
public interface DestinationChannel {
  /** One round on the reading thread: poll, and act on what came. */
  void round();

  /** Partitions were assigned to the destination's consumer (on the reading thread). */
  default void assigned(Collection<TopicPartition> partitions) {}

  /** Partitions were taken from the destination's consumer (on the reading thread). */
  default void revoked(Collection<TopicPartition> partitions) {}

  /** On the reading thread before the consumer closes, also after a failure. */
  default void beforeClose() {}

  /** Frees what the channel holds besides the consumer, once the consumer is closed. */
  default void release() {}

  /** What is failing now, if anything: the destination then shows RETRYING with this detail. */
  Optional<String> failing();

  /** A batch destination's latest published files, newest first; empty for other channels. */
  default Optional<JsonArray> recentFiles() {
    return Optional.empty();
  }

  /** What a healthy destination is waiting for, if anything: shown with UP. */
  default Optional<String> waitingFor() {
    return Optional.empty();
  }
}
