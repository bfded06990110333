package org.dmp.qualifier.profile;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The highest offset of each visits partition this instance has processed: what a same-hit
 * question waits for before it reads the visitor's profile.
 */
public final class ProcessedOffsets {
  private final Map<Integer, Long> byPartition = new ConcurrentHashMap<>();

  void processed(int partition, long offset) {
    byPartition.merge(partition, offset, Math::max);
  }

  /** Whether the record at {@code offset} of {@code partition} has been processed here. */
  public boolean reached(int partition, long offset) {
    return byPartition.getOrDefault(partition, -1L) >= offset;
  }
}
