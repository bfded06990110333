package org.dmp.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.dmp.avro.SegmentDifference;
import org.junit.jupiter.api.Test;

class MembershipDiffTest {
  @Test
  void countsJoinsLeavesAndStaysInTheRunsSegmentsOnly() {
    MembershipDiff diff = new MembershipDiff(Set.of(1L, 2L));

    var change =
        diff.compare(
            "10",
            new MembershipDiff.Side(Set.of(1L, 9L), false, 3),
            new MembershipDiff.Side(Set.of(2L, 8L), false, 4));
    var same =
        diff.compare(
            "11",
            new MembershipDiff.Side(Set.of(1L), false, 1),
            new MembershipDiff.Side(Set.of(1L, 8L), false, 1));
    var newcomer =
        diff.compare("12", new MembershipDiff.Side(Set.of(2L), false, 1), MembershipDiff.Side.NONE);

    assertThat(change)
        .hasValueSatisfying(
            found -> {
              assertThat(found.joined()).containsExactly(1L);
              assertThat(found.left()).containsExactly(2L);
              assertThat(found.segments()).as("only the run's segments").containsExactly(1L);
            });
    assertThat(same).as("segment 8 is not the run's").isEmpty();
    assertThat(newcomer)
        .hasValueSatisfying(found -> assertThat(found.joined()).containsExactly(2L));
    assertThat(diff.visitorsCompared()).isEqualTo(3);
    assertThat(diff.summary())
        .extracting(
            SegmentDifference::getSegment,
            SegmentDifference::getJoins,
            SegmentDifference::getLeaves,
            SegmentDifference::getStays)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1L, 1L, 0L, 1L),
            org.assertj.core.groups.Tuple.tuple(2L, 1L, 1L, 0L));
  }

  @Test
  void anOptedOutVisitorIsNeverCompared() {
    MembershipDiff diff = new MembershipDiff(Set.of(1L));

    assertThat(
            diff.compare(
                "10",
                new MembershipDiff.Side(Set.of(1L), false, 2),
                new MembershipDiff.Side(Set.of(), true, 5)))
        .isEmpty();
    assertThat(diff.visitorsCompared()).isZero();
    assertThat(diff.summary()).extracting(SegmentDifference::getJoins).containsExactly(0L);
  }
}
