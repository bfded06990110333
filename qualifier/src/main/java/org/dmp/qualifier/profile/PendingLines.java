package org.dmp.qualifier.profile;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * How long, and how many, inbound lines may wait for the ID sync of their partner id, and what
 * became of the lines resolved in the qualifier: the stream threads count, the metrics read.
 *
 * @param ttl how long (in event time: the line's file time against the partition's latest id map or
 *     inbound record) a line waits for its partner id's first ID sync
 * @param maxPerId how many lines wait per partner id; past that the oldest is dropped
 */
public record PendingLines(Duration ttl, int maxPerId, Counts counts) {
  public static final Duration DEFAULT_TTL = Duration.ofDays(30);
  public static final int DEFAULT_MAX_PER_ID = 1_000;

  public PendingLines {
    if (ttl.isNegative() || ttl.isZero() || maxPerId < 1) {
      throw new IllegalArgumentException("pending lines need a positive ttl and bound");
    }
  }

  public PendingLines(Duration ttl, int maxPerId) {
    this(ttl, maxPerId, new Counts());
  }

  public static PendingLines defaults() {
    return new PendingLines(DEFAULT_TTL, DEFAULT_MAX_PER_ID);
  }

  /** Lines since this instance started. */
  public static final class Counts {
    final LongAdder resolved = new LongAdder();
    final LongAdder waiting = new LongAdder();
    final LongAdder released = new LongAdder();
    final LongAdder expired = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder optedOut = new LongAdder();

    /** Written to the event log for the visitors their partner id was synced with. */
    public long resolved() {
      return resolved.sum();
    }

    /** Set aside to wait for an ID sync. */
    public long waiting() {
      return waiting.sum();
    }

    /** Written once a partner id they waited for was synced. */
    public long released() {
      return released.sum();
    }

    /** Given up after waiting the ttl. */
    public long expired() {
      return expired.sum();
    }

    /** Given up because more than the bound waited for one partner id. */
    public long dropped() {
      return dropped.sum();
    }

    /** Not applied, or no longer waiting, because their partner id opted out. */
    public long optedOut() {
      return optedOut.sum();
    }
  }
}
