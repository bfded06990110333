package org.dmp.qualifier.profile;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a replay reads of the visits topic: each partition up to the last offset it holds when the
 * run starts (the run's own end tick), events no later than {@code to}, and only {@code visitors}
 * when given. Where it starts is not here: the run seeds its consumer group's offsets.
 *
 * @param lastOffsets per partition, the offset of the last record the run reads
 */
public record ReplayBounds(
    Map<Integer, Long> lastOffsets, Optional<Instant> to, Optional<Set<String>> visitors) {
  public ReplayBounds {
    lastOffsets = Map.copyOf(lastOffsets);
  }

  boolean withinOffsets(int partition, long offset) {
    Long last = lastOffsets.get(partition);
    return last != null && offset <= last;
  }

  boolean holds(int partition, long offset, String key, long time) {
    return withinOffsets(partition, offset)
        && to.map(end -> time <= end.toEpochMilli()).orElse(true)
        // Ticks (no key) are time for every visitor.
        && (key == null || visitors.map(chosen -> chosen.contains(key)).orElse(true));
  }
}
