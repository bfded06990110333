package org.dmp.sync.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.dmp.sync.destination.PartnerChange;

/**
 * One partition's batches for one http destination, and the offset that may be committed.
 *
 * <p>At most one batch per partition is in flight: a visitor's changes all come from one partition,
 * so the partner receives them in order even while a batch is being retried. The next batch gathers
 * meanwhile and is sent when the one in flight ends.
 *
 * <p>Batches cover consecutive offset ranges, and the committed offset's metadata names the end of
 * the batch in flight. A consumer that takes the partition over after a crash re-forms that batch
 * with exactly the same offsets, hence the same idempotency key: a partner sees a batch again only
 * under the key it already knows. Not thread-safe: the destination's consumer thread owns it.
 */
final class PartitionBatches {
  private static final String END_PREFIX = "in-flight-end=";

  /**
   * How many changes a batch holds at most, per visitor it may hold: one busy visitor's changes
   * count as many visitors, so that the batch gathering behind one in flight stays bounded.
   */
  static final int CHANGES_PER_USER = 4;

  private final long destinationId;
  private final TopicPartition partition;
  private final int maxUsers;
  private final long maxWaitNanos;

  /** The first offset not yet delivered or dead-lettered: what is committed. */
  private long done;

  /**
   * The end of a batch that was in flight when the partition was last committed, to be re-formed
   * exactly.
   */
  private Long plannedEnd;

  private RealtimeBatch inFlight;
  private long openStart;
  private long openEnd;
  private final List<PartnerChange> open = new ArrayList<>();
  private long openSinceNanos;

  PartitionBatches(
      long destinationId,
      TopicPartition partition,
      long position,
      Optional<OffsetAndMetadata> committed,
      int maxUsers,
      long maxWaitNanos) {
    this.destinationId = destinationId;
    this.partition = partition;
    this.maxUsers = maxUsers;
    this.maxWaitNanos = maxWaitNanos;
    this.done = position;
    this.openStart = position;
    this.openEnd = position - 1;
    this.plannedEnd =
        committed
            .filter(offset -> offset.offset() == position)
            .flatMap(offset -> plannedEnd(offset.metadata()))
            .filter(end -> end >= position)
            .orElse(null);
  }

  TopicPartition partition() {
    return partition;
  }

  /**
   * Takes the record at {@code offset}: its change for this destination, or null when it has none.
   *
   * @return a batch to send now, if one closed
   */
  Optional<RealtimeBatch> offer(long offset, PartnerChange change, long nowNanos) {
    Optional<RealtimeBatch> closed = Optional.empty();
    if (plannedEnd != null && offset > plannedEnd) {
      // The planned batch's last record is gone (compacted); close it where it ended.
      openEnd = plannedEnd;
      closed = close();
    }
    if (change != null) {
      if (open.isEmpty()) {
        openSinceNanos = nowNanos;
      }
      open.add(change);
    }
    openEnd = offset;
    if (plannedEnd != null && offset == plannedEnd) {
      return closed.isPresent() ? closed : close();
    }
    return closed.isPresent() ? closed : closeIfDue(nowNanos);
  }

  /**
   * The consumer's position moved to {@code position}: past a planned batch's end, that batch is
   * complete even if its last records are gone (compacted, or transaction markers).
   */
  Optional<RealtimeBatch> positionReached(long position) {
    if (plannedEnd == null || position <= plannedEnd) {
      return Optional.empty();
    }
    openEnd = plannedEnd;
    return close();
  }

  /**
   * Closes the gathering batch if nothing is in flight and it is full or has waited long enough. A
   * stretch of records with nothing to send counts as done at once.
   */
  Optional<RealtimeBatch> closeIfDue(long nowNanos) {
    if (inFlight != null || plannedEnd != null || openEnd < openStart) {
      return Optional.empty();
    }
    if (open.isEmpty()) {
      done = openEnd + 1;
      openStart = done;
      return Optional.empty();
    }
    return isFull() || nowNanos - openSinceNanos >= maxWaitNanos ? close() : Optional.empty();
  }

  /**
   * When the gathering batch would be due, for the consumer's poll timeout; empty when nothing is
   * waiting.
   */
  Optional<Long> dueAtNanos() {
    return inFlight == null && !open.isEmpty() && plannedEnd == null
        ? Optional.of(openSinceNanos + maxWaitNanos)
        : Optional.empty();
  }

  /** Whether a batch is in flight. */
  boolean sending() {
    return inFlight != null;
  }

  /**
   * Whether reading on would only grow a batch that cannot be sent yet: the partition should pause.
   */
  boolean full() {
    return inFlight != null && isFull();
  }

  private boolean isFull() {
    return open.size() >= CHANGES_PER_USER * maxUsers || distinctVisitors() >= maxUsers;
  }

  /** The batch in flight ended (delivered or dead-lettered): its offsets are done. */
  boolean complete(RealtimeBatch batch) {
    if (batch != inFlight) {
      return false;
    }
    done = batch.end() + 1;
    inFlight = null;
    return true;
  }

  /** What to commit: the first offset not done, and the end of the batch in flight. */
  OffsetAndMetadata commitPoint() {
    return new OffsetAndMetadata(done, inFlight == null ? "" : END_PREFIX + inFlight.end());
  }

  private Optional<RealtimeBatch> close() {
    RealtimeBatch batch = new RealtimeBatch(destinationId, partition, openStart, openEnd, open);
    open.clear();
    openStart = openEnd + 1;
    plannedEnd = null;
    if (batch.changes().isEmpty()) {
      done = openStart;
      return Optional.empty();
    }
    inFlight = batch;
    return Optional.of(batch);
  }

  private int distinctVisitors() {
    return open.size() < maxUsers
        ? open.size()
        : (int) open.stream().map(PartnerChange::visitorId).distinct().count();
  }

  private static Optional<Long> plannedEnd(String metadata) {
    if (metadata == null || !metadata.startsWith(END_PREFIX)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(metadata.substring(END_PREFIX.length())));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
