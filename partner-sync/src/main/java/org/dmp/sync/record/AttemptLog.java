package org.dmp.sync.record;

import java.util.concurrent.CompletableFuture;
import org.dmp.avro.DeadLetter;

/**
 * Where delivery attempts and dead letters are recorded; {@link DeliveryRecord} writes them to
 * Kafka.
 */
public interface AttemptLog {
  /** Records an attempt; completes when it is durable. */
  CompletableFuture<Void> attempt(DeliveryRecord.Attempt attempt);

  /** Records a delivery given up; completes when it is durable. */
  CompletableFuture<Void> deadLetter(DeadLetter letter);
}
