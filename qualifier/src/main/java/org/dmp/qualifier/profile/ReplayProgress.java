package org.dmp.qualifier.profile;

import java.util.concurrent.atomic.LongAdder;

/**
 * How far a replay has read each visits partition, and how many records it has read within its
 * bounds' offsets: a record the source cannot decode is skipped before it gets here, so the run
 * learns how many it skipped.
 */
public final class ReplayProgress {
  private final ProcessedOffsets offsets = new ProcessedOffsets(0, hit -> {});
  private final LongAdder read = new LongAdder();

  void read(int partition, long offset, boolean withinOffsets) {
    if (withinOffsets) {
      read.increment();
    }
    offsets.processed(partition, offset, -1);
  }

  /** Whether the record at {@code offset} of {@code partition}, or a later one, has been read. */
  public boolean reached(int partition, long offset) {
    return offsets.reached(partition, offset);
  }

  /** The highest offset of {@code partition} read; -1 for none. */
  public long offset(int partition) {
    return offsets.offset(partition);
  }

  /** Records read up to the bounds' last offsets, in or out of the other bounds. */
  public long recordsRead() {
    return read.sum();
  }
}
