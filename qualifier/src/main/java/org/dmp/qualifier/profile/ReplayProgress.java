package org.dmp.qualifier.profile;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How far a replay has read each visits partition, and how many records it has read within its
 * bounds' offsets: a record the source cannot decode is skipped before it gets here, so the run
 * learns how many it skipped.
 */
public final class ReplayProgress {
  private final ProcessedOffsets offsets = new ProcessedOffsets(0, hit -> {});
  private final LongAdder read = new LongAdder();

  /** Per partition, where this process began reading: its group's committed offset. */
  private final Map<Integer, Long> firstRead = new ConcurrentHashMap<>();

  private volatile boolean over;

  void read(int partition, long offset, boolean withinOffsets) {
    if (withinOffsets) {
      read.increment();
    }
    offsets.processed(partition, offset, -1);
  }

  /**
   * The run's group had committed {@code offset} for {@code partition} when this process began:
   * everything before it was read, and counted, by an earlier process of the run.
   */
  public void committed(int partition, long offset) {
    firstRead.put(partition, offset);
    offsets.processed(partition, offset - 1, -1);
  }

  /**
   * The run is over and its outcome recorded: what its shadow holds and has not written is not
   * needed any more, and is dropped rather than written as the shadow closes.
   */
  public void over() {
    over = true;
  }

  boolean isOver() {
    return over;
  }

  /** Whether the record at {@code offset} of {@code partition}, or a later one, has been read. */
  public boolean reached(int partition, long offset) {
    return offsets.reached(partition, offset);
  }

  /** The highest offset of {@code partition} read; -1 for none. */
  public long offset(int partition) {
    return offsets.offset(partition);
  }

  /**
   * Records this process skipped up to {@code lastOffsets} because they could not be decoded: the
   * offsets it went through less the records it read. A resumed run counts only its own part.
   */
  public long skipped(Map<Integer, Long> lastOffsets) {
    long spanned = 0;
    for (Map.Entry<Integer, Long> first : firstRead.entrySet()) {
      long through = Math.min(offset(first.getKey()), lastOffsets.get(first.getKey()));
      spanned += through - first.getValue() + 1;
    }
    return spanned - read.sum();
  }
}
