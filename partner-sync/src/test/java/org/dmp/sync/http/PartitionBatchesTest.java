package org.dmp.sync.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.dmp.sync.destination.PartnerChange;
import org.dmp.sync.destination.UserChange;
import org.junit.jupiter.api.Test;

class PartitionBatchesTest {
  private static final TopicPartition PARTITION = new TopicPartition("segments", 3);
  private static final long WAIT = 50_000_000L;

  private static PartitionBatches fresh(long position) {
    return new PartitionBatches(9001, PARTITION, position, Optional.empty(), 3, WAIT);
  }

  private static PartnerChange change(String visitor) {
    return new PartnerChange(
        9001,
        20001,
        visitor,
        1,
        new UserChange("p-" + visitor, List.of(), List.of("5001")),
        Instant.EPOCH,
        List.of());
  }

  @Test
  void aBatchClosesWhenFullAndCoversEveryOffsetUpToItsLast() {
    PartitionBatches batches = fresh(10);
    assertThat(batches.offer(10, change("a"), 0)).isEmpty();
    assertThat(batches.offer(11, null, 0)).isEmpty();
    assertThat(batches.offer(12, change("b"), 0)).isEmpty();
    RealtimeBatch batch = batches.offer(13, change("c"), 0).orElseThrow();

    assertThat(batch.start()).isEqualTo(10);
    assertThat(batch.end()).isEqualTo(13);
    assertThat(batch.visitorIds()).containsExactly("a", "b", "c");
    assertThat(batch.idempotencyKey()).isEqualTo("9001-3-10-13");
    assertThat(batches.commitPoint()).isEqualTo(new OffsetAndMetadata(10, "in-flight-end=13"));
  }

  @Test
  void aBatchClosesAfterWaitingItsTimeEvenIfNotFull() {
    PartitionBatches batches = fresh(0);
    batches.offer(0, change("a"), 0);
    assertThat(batches.closeIfDue(WAIT - 1)).isEmpty();
    assertThat(batches.dueAtNanos()).contains(WAIT);
    assertThat(batches.closeIfDue(WAIT)).map(RealtimeBatch::end).contains(0L);
  }

  @Test
  void onlyOneBatchIsInFlightAndTheNextGathersUntilItEnds() {
    PartitionBatches batches = fresh(0);
    assertThat(batches.offer(0, change("a"), 0)).isEmpty();
    RealtimeBatch first = batches.closeIfDue(WAIT).orElseThrow();
    batches.offer(1, change("b"), WAIT);
    batches.offer(2, change("c"), WAIT);
    assertThat(batches.closeIfDue(10 * WAIT)).as("waits for the batch in flight").isEmpty();
    batches.offer(3, change("d"), WAIT);
    assertThat(batches.full()).as("the next batch is full while the first is in flight").isTrue();

    assertThat(batches.complete(first)).isTrue();
    assertThat(batches.commitPoint().offset()).isEqualTo(1);
    RealtimeBatch second = batches.closeIfDue(10 * WAIT).orElseThrow();
    assertThat(second.start()).isEqualTo(1);
    assertThat(second.end()).isEqualTo(3);
  }

  @Test
  void oneBusyVisitorFillsTheGatheringBatchAsManyVisitorsWould() {
    PartitionBatches batches = fresh(0);
    batches.offer(0, change("a"), 0);
    RealtimeBatch first = batches.closeIfDue(WAIT).orElseThrow();
    int most = PartitionBatches.CHANGES_PER_USER * 3;
    for (int offset = 1; offset < most; offset++) {
      batches.offer(offset, change("busy"), WAIT);
      assertThat(batches.full()).as("after %d changes", offset).isFalse();
    }
    batches.offer(most, change("busy"), WAIT);
    assertThat(batches.full()).as("the partition pauses: the batch holds no more").isTrue();

    batches.complete(first);
    RealtimeBatch second = batches.closeIfDue(WAIT).orElseThrow();
    assertThat(second.changes()).hasSize(most);
  }

  @Test
  void recordsWithNothingToSendAreDoneWithoutABatch() {
    PartitionBatches batches = fresh(5);
    batches.offer(5, null, 0);
    batches.offer(6, null, 0);
    assertThat(batches.closeIfDue(0)).isEmpty();
    assertThat(batches.commitPoint()).isEqualTo(new OffsetAndMetadata(7, ""));
  }

  @Test
  void aSuccessorReformsTheBatchInFlightWithTheSameOffsetsAndKey() {
    PartitionBatches original = fresh(0);
    List<RealtimeBatch> sent = new ArrayList<>();
    original.offer(0, change("a"), 0);
    original.offer(1, null, 0);
    original.offer(2, change("b"), 0);
    original.closeIfDue(WAIT).ifPresent(sent::add);
    OffsetAndMetadata committed = original.commitPoint();

    // After a crash the successor reads on from the committed offset, and more records have arrived
    // since.
    PartitionBatches successor =
        new PartitionBatches(9001, PARTITION, committed.offset(), Optional.of(committed), 3, WAIT);
    assertThat(successor.offer(0, change("a"), 0)).isEmpty();
    assertThat(successor.offer(1, null, 0)).isEmpty();
    assertThat(successor.closeIfDue(100 * WAIT))
        .as("the planned batch is not cut short by time")
        .isEmpty();
    RealtimeBatch reformed = successor.offer(2, change("b"), 0).orElseThrow();

    assertThat(reformed.idempotencyKey()).isEqualTo(sent.get(0).idempotencyKey());
    assertThat(reformed.visitorIds()).isEqualTo(sent.get(0).visitorIds());
  }

  @Test
  void aPlannedBatchWhoseLastRecordsAreGoneClosesWhereItEnded() {
    PartitionBatches successor =
        new PartitionBatches(
            9001, PARTITION, 0, Optional.of(new OffsetAndMetadata(0, "in-flight-end=4")), 3, WAIT);
    successor.offer(0, change("a"), 0);
    RealtimeBatch reformed = successor.offer(7, change("z"), 0).orElseThrow();
    assertThat(reformed.end()).isEqualTo(4);
    assertThat(reformed.visitorIds()).containsExactly("a");

    PartitionBatches atEnd =
        new PartitionBatches(
            9001, PARTITION, 0, Optional.of(new OffsetAndMetadata(0, "in-flight-end=4")), 3, WAIT);
    atEnd.offer(0, change("a"), 0);
    assertThat(atEnd.positionReached(4)).isEmpty();
    assertThat(atEnd.positionReached(6)).map(RealtimeBatch::idempotencyKey).contains("9001-3-0-4");
  }

  @Test
  void metadataFromAnotherOffsetOrOfAnotherFormIsIgnored() {
    PartitionBatches stale =
        new PartitionBatches(
            9001, PARTITION, 8, Optional.of(new OffsetAndMetadata(3, "in-flight-end=5")), 3, WAIT);
    stale.offer(8, change("a"), 0);
    assertThat(stale.closeIfDue(WAIT)).map(RealtimeBatch::start).contains(8L);
    PartitionBatches foreign =
        new PartitionBatches(
            9001, PARTITION, 8, Optional.of(new OffsetAndMetadata(8, "whatever")), 3, WAIT);
    foreign.offer(8, change("a"), 0);
    assertThat(foreign.closeIfDue(WAIT)).isPresent();
  }
}
