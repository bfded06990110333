package org.dmp.cli.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.dmp.avro.SegmentDifference;

/**
 * Compares, visitor by visitor, the membership a replay computed with the live one, in the run's
 * segments only, and counts per segment who would join, leave and stay. An opted-out visitor (on
 * either side) is never compared: nothing may be proposed for them.
 */
final class MembershipDiff {
  /** One side's view of a visitor: their segments, whether they opted out, the profile version. */
  record Side(Set<Long> segments, boolean optedOut, long version) {
    static final Side NONE = new Side(Set.of(), false, 0);
  }

  /** A visitor whose membership differs. */
  record Change(String visitorId, List<Long> joined, List<Long> left, List<Long> segments) {}

  private final Set<Long> scope;
  private final Map<Long, long[]> counts = new TreeMap<>();
  private long compared;

  MembershipDiff(Set<Long> scope) {
    this.scope = Set.copyOf(scope);
    scope.forEach(segment -> counts.put(segment, new long[3]));
  }

  /**
   * @param live the live view; {@link Side#NONE} for a visitor live has no profile of
   * @return the difference, if any
   */
  Optional<Change> compare(String visitorId, Side shadow, Side live) {
    if (shadow.optedOut() || live.optedOut()) {
      return Optional.empty();
    }
    compared++;
    Set<Long> replayed = within(shadow.segments());
    Set<Long> current = within(live.segments());
    // The visitor's segments, not the run's: a run may count thousands.
    List<Long> joined = new ArrayList<>();
    List<Long> left = new ArrayList<>();
    for (long segment : replayed) {
      if (current.contains(segment)) {
        counts.get(segment)[2]++;
      } else {
        counts.get(segment)[0]++;
        joined.add(segment);
      }
    }
    for (long segment : current) {
      if (!replayed.contains(segment)) {
        counts.get(segment)[1]++;
        left.add(segment);
      }
    }
    return joined.isEmpty() && left.isEmpty()
        ? Optional.empty()
        : Optional.of(new Change(visitorId, joined, left, List.copyOf(replayed)));
  }

  long visitorsCompared() {
    return compared;
  }

  /** Per segment of the run, in id order: joins, leaves, stays. */
  List<SegmentDifference> summary() {
    List<SegmentDifference> summary = new ArrayList<>();
    counts.forEach(
        (segment, count) ->
            summary.add(new SegmentDifference(segment, count[0], count[1], count[2])));
    return summary;
  }

  /** The segments in the run's scope, ascending. */
  private Set<Long> within(Set<Long> segments) {
    Set<Long> kept = new TreeSet<>();
    for (Long segment : segments) {
      if (scope.contains(segment)) {
        kept.add(segment);
      }
    }
    return kept;
  }
}
