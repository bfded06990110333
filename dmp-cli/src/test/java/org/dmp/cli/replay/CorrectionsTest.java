package org.dmp.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CorrectionsTest {
  @Test
  void traitsTravelAsRangesOfConsecutiveIds() {
    assertThat(Corrections.ranges(List.of(7L, 3L, 4L, 5L, 9L, 8L, 12L, 4L)))
        .containsExactly(3L, 5L, 7L, 9L, 12L, 12L);
    assertThat(Corrections.ranges(List.of())).isEmpty();
  }
}
