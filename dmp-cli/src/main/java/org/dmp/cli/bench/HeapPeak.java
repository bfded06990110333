package org.dmp.cli.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;

/** The most heap in use since {@link #reset}, as the JVM's memory pools record it. */
final class HeapPeak {
  private final List<MemoryPoolMXBean> heap =
      ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(pool -> pool.getType() == MemoryType.HEAP)
          .toList();

  /** Collects garbage first, so that what came before does not count. */
  HeapPeak reset() {
    System.gc();
    heap.forEach(MemoryPoolMXBean::resetPeakUsage);
    return this;
  }

  long megabytes() {
    return heap.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum() >> 20;
  }
}
