package org.dmp.taxonomy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a thread remembers of the rule values it has met is bounded in bytes, not only in count: a
 * page sending long values that never repeat cannot make it hold gigabytes.
 */
class RuleValueMemoTest {
  private static final TraitIndex TRAITS =
      new CompiledTaxonomy(
              TaxonomyFile.parse(
                  "memo",
                  """
                  {"dataSources": [{"id": 1, "name": "Site"}],
                   "traits": [{"id": 101, "name": "Shoe pages", "dataSource": 1, "type": "rule",
                               "rule": "c_url contains \\"shoes\\""}]}"""))
          .traits();

  @Test
  void manyLongValuesNeverHoldMoreThanTheByteBound() {
    String padding = "x".repeat(EvaluationSession.LONGEST_REMEMBERED_VALUE - 20);
    long most = 0;
    for (int i = 0; i < 40_000; i++) {
      Map<String, List<String>> signals = Map.of("c_url", List.of(padding + "/shoes/" + i));
      assertThat(TRAITS.realize(signals, null)).containsExactly(101L);
      most = Math.max(most, TRAITS.rememberedBytes());
    }
    assertThat(most)
        .as("40,000 values of about 2 KB each would be 80 MB")
        .isGreaterThan(EvaluationSession.MOST_REMEMBERED_BYTES / 2)
        .isLessThanOrEqualTo(EvaluationSession.MOST_REMEMBERED_BYTES);
  }

  @Test
  void valuesTooLongToBeWorthItAreJudgedEachTimeAndNotKept() {
    String url = "y".repeat(EvaluationSession.LONGEST_REMEMBERED_VALUE) + "/shoes";
    long before = TRAITS.rememberedBytes();
    for (int i = 0; i < 3; i++) {
      assertThat(TRAITS.realize(Map.of("c_url", List.of(url)), null)).containsExactly(101L);
    }
    assertThat(TRAITS.realize(Map.of("c_url", List.of("z".repeat(5000))), null)).isEmpty();
    assertThat(TRAITS.rememberedBytes()).isEqualTo(before);
  }
}
