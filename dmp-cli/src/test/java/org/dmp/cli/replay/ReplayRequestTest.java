package org.dmp.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.TaxonomyFile;
import org.junit.jupiter.api.Test;

class ReplayRequestTest {
  private static final CompiledTaxonomy SAMPLE = new CompiledTaxonomy(TaxonomyFile.sample());
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  @Test
  void timesAreInstantsOrDatesAndABadOneIsNamed() {
    assertThat(ReplayRequest.time("--from", "2026-10-01")).isEqualTo("2026-10-01T00:00:00Z");
    assertThat(ReplayRequest.time("--to", "2026-10-01T12:30:00Z"))
        .isEqualTo("2026-10-01T12:30:00Z");
    assertThatThrownBy(() -> ReplayRequest.time("--from", "yesterday"))
        .hasMessageStartingWith("--from 'yesterday' is not an ISO-8601 time");
  }

  @Test
  void fromMustComeBeforeToAndNotAfterNow() {
    Instant from = Instant.parse("2026-11-20T00:00:00Z");
    assertThatThrownBy(
            () ->
                ReplayRequest.checkRange(
                    from, Optional.of(Instant.parse("2026-11-10T00:00:00Z")), NOW))
        .hasMessage(
            "--from 2026-11-20T00:00:00Z is not before --to 2026-11-10T00:00:00Z: nothing to replay");
    assertThatThrownBy(() -> ReplayRequest.checkRange(NOW.plusSeconds(60), Optional.empty(), NOW))
        .hasMessageContaining("is in the future");
  }

  @Test
  void segmentsAreTheTaxonomysAndAnUnknownOneIsNamed() {
    assertThat(ReplayRequest.segments(null, SAMPLE)).contains(5001L, 5002L);
    assertThat(ReplayRequest.segments(List.of(5002L), SAMPLE)).containsExactly(5002L);
    assertThatThrownBy(() -> ReplayRequest.segments(List.of(5002L, 9999L), SAMPLE))
        .hasMessage("--segments: the run's taxonomy has no segment [9999]");
  }

  @Test
  void theWarmUpIsTheLongestTtlOfTheTraitsTheSegmentsCount() {
    assertThat(ReplayRequest.longestWindow(java.util.Set.of(5001L), SAMPLE))
        .contains(Duration.ofDays(120));
  }

  @Test
  void aVisitorsFileNamesEachBadLine() {
    assertThat(ReplayRequest.visitors("v.txt", List.of("# chosen", "123", "", "456")))
        .containsExactly("123", "456");
    assertThatThrownBy(() -> ReplayRequest.visitors("v.txt", List.of("123", "abc")))
        .hasMessage("v.txt:2: 'abc' is not a visitor id (digits)");
  }
}
