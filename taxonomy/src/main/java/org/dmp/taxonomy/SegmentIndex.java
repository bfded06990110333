package org.dmp.taxonomy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dmp.avro.Segment;
import org.dmp.taxonomy.rules.SegmentRule;

/** A taxonomy's segments, their rules compiled and indexed by the traits they count. Immutable. */
public final class SegmentIndex {
  private final Map<Long, List<CompiledSegment>> segmentsByTrait = new HashMap<>();
  private final Map<Long, CompiledSegment> segments = new HashMap<>();

  /** A segment and its rule. */
  public record CompiledSegment(long id, SegmentRule rule) {}

  SegmentIndex(List<Segment> declared) {
    for (Segment segment : declared) {
      CompiledSegment compiled =
          new CompiledSegment(segment.getId(), SegmentRule.parse(segment.getRule()));
      segments.put(segment.getId(), compiled);
      compiled
          .rule()
          .traits()
          .forEach(
              trait ->
                  segmentsByTrait.computeIfAbsent(trait, t -> new ArrayList<>()).add(compiled));
    }
  }

  /** The segments whose rules count any of these traits. */
  public Set<CompiledSegment> segmentsOf(Set<Long> traits) {
    Set<CompiledSegment> found = new HashSet<>();
    for (long trait : traits) {
      addSegmentsOf(trait, found);
    }
    return found;
  }

  /** Adds the segments whose rules count the trait to {@code found}. */
  public void addSegmentsOf(long trait, Set<CompiledSegment> found) {
    List<CompiledSegment> counting = segmentsByTrait.get(trait);
    if (counting != null) {
      for (CompiledSegment segment : counting) {
        found.add(segment);
      }
    }
  }

  /** The segment with this id; null when the taxonomy has none. */
  public CompiledSegment segment(long id) {
    return segments.get(id);
  }
}
