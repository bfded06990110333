package org.dmp.qualifier.taxonomy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompiledTaxonomyTest {
  private static final CompiledTaxonomy TAXONOMY = new CompiledTaxonomy(TaxonomyFile.parse("test", """
      {"dataSources": [{"id": 1, "name": "Site"}, {"id": 2, "name": "App"}],
       "traits": [
         {"id": 1, "name": "Shoes", "dataSource": 1, "type": "rule", "rule": "c_category == \\"shoes\\""},
         {"id": 2, "name": "Shoes in the app", "dataSource": 2, "type": "rule", "rule": "c_category == \\"shoes\\""},
         {"id": 3, "name": "Big cart", "dataSource": 1, "type": "rule", "rule": "c_cart >= 100 OR c_vip == \\"1\\""},
         {"id": 4, "name": "Not a VIP", "dataSource": 1, "type": "rule", "rule": "NOT c_vip == \\"1\\""},
         {"id": 5, "name": "Gold", "dataSource": 1, "type": "rule", "rule": "p_tier == \\"gold\\""}]}
      """));

  @Test
  void equalitiesAreFoundByLookupAndOtherRulesEvaluatedOnce() {
    assertThat(TAXONOMY.realize(Map.of("c_category", List.of("hats", "shoes")), null)).containsExactly(1L, 2L, 4L);
    assertThat(TAXONOMY.realize(Map.of("c_cart", List.of("150"), "c_vip", List.of("1")), null)).containsExactly(3L);
    assertThat(TAXONOMY.realize(Map.of("c_category", List.of("shoes")), 2L)).containsExactly(2L);
  }

  @Test
  void privateTraitsComeOnlyFromPrivateKeys() {
    Map<String, List<String>> signals = Map.of("c_category", List.of("shoes"));

    assertThat(TAXONOMY.realizePrivate(signals, Map.of("p_tier", List.of("gold")), null)).containsExactly(5L);
    assertThat(TAXONOMY.realizePrivate(signals, Map.of(), null)).isEmpty();
    assertThat(TAXONOMY.realize(Map.of("p_tier", List.of("gold")), null)).as("the qualifier never sees p_ keys, but if it did")
        .contains(5L);
  }
}
