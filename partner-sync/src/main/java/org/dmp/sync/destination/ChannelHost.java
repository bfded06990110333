package org.dmp.sync.destination;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.dmp.avro.Destination;
import org.dmp.avro.ProfileUpdate;

/** What a {@link DestinationConsumer} shares with the channel it hosts. */
public interface ChannelHost {
  Destination destination();

  /** The destination's consumer: touched only on the reading thread. */
  KafkaConsumer<String, byte[]> consumer();

  DestinationMeters meters();

  DestinationMapping mapping();

  ReadingSettings reading();

  Vertx vertx();

  /** Where the destination's HTTP calls and timers run. */
  Context context();

  /** Runs {@code task} on the reading thread, between polls. */
  void onReadingThread(Runnable task);

  /** Whether the destination is stopping: nothing new should start. */
  boolean stopping();

  /**
   * The record's update, or null for a tombstone or a record that does not decode (set aside to the
   * rejected records' topic).
   */
  ProfileUpdate updateOf(ConsumerRecord<String, byte[]> record);

  /**
   * The change this record means for the destination's partner, or null when none (counted when it
   * lacks a partner id).
   */
  PartnerChange changeOf(ConsumerRecord<String, byte[]> record);

  /** Where a partition without a committed position starts. */
  void seekToStart(TopicPartition partition);
}
