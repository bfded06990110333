package org.dmp.taxonomy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.dmp.avro.DataSource;
import org.dmp.avro.InboundIds;
import org.dmp.avro.Trait;
import org.dmp.avro.TraitType;
import org.dmp.taxonomy.rules.TraitRule;
import org.junit.jupiter.api.Test;

class CompiledTaxonomyTest {
  private static final CompiledTaxonomy TAXONOMY =
      new CompiledTaxonomy(
          TaxonomyFile.parse(
              "test",
              """
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
    assertThat(TAXONOMY.traits().realize(Map.of("c_category", List.of("hats", "shoes")), null))
        .containsExactly(1L, 2L, 4L);
    assertThat(
            TAXONOMY
                .traits()
                .realize(Map.of("c_cart", List.of("150"), "c_vip", List.of("1")), null))
        .containsExactly(3L);
    assertThat(TAXONOMY.traits().realize(Map.of("c_category", List.of("shoes")), 2L))
        .containsExactly(2L);
  }

  @Test
  void privateTraitsComeOnlyFromPrivateKeys() {
    Map<String, List<String>> signals = Map.of("c_category", List.of("shoes"));

    assertThat(TAXONOMY.traits().realizePrivate(signals, Map.of("p_tier", List.of("gold")), null))
        .containsExactly(5L);
    assertThat(TAXONOMY.traits().realizePrivate(signals, Map.of(), null)).isEmpty();
    assertThat(TAXONOMY.traits().realize(Map.of("p_tier", List.of("gold")), null))
        .as("the qualifier never sees p_ keys, but if it did")
        .contains(5L);
  }

  /** A random taxonomy over few keys and values, so that rules share keys and events meet them. */
  record Case(
      List<String> rules,
      List<Long> dataSources,
      List<Map<String, List<String>>> events,
      Long onlyDataSource) {}

  @Property(tries = 500)
  void theIndexedTaxonomyRealizesExactlyTheTraitsWhoseRulesMatch(@ForAll("cases") Case example) {
    List<Trait> traits = new ArrayList<>();
    for (int i = 0; i < example.rules().size(); i++) {
      traits.add(
          new Trait(
              (long) i + 1,
              "t" + i,
              null,
              example.dataSources().get(i),
              TraitType.RULE,
              example.rules().get(i),
              30));
    }
    CompiledTaxonomy taxonomy =
        new CompiledTaxonomy(
            new Taxonomy(
                List.of(
                    new DataSource(1L, "one", null, null, null, InboundIds.PARTNER, List.of()),
                    new DataSource(2L, "two", null, null, null, InboundIds.PARTNER, List.of())),
                traits,
                List.of(),
                List.of()));
    // Several events through one taxonomy, some twice: what one event's values gave must not leak
    // into another's.
    for (Map<String, List<String>> signals : example.events()) {
      Set<Long> expected = new TreeSet<>();
      for (Trait trait : traits) {
        boolean ofDataSource =
            example.onlyDataSource() == null || trait.getDataSourceId() == example.onlyDataSource();
        if (ofDataSource && TraitRule.parse(trait.getRule()).matches(signals)) {
          expected.add(trait.getId());
        }
      }
      assertThat(taxonomy.traits().realize(signals, example.onlyDataSource()))
          .as("%s on %s", example.rules(), signals)
          .containsExactlyElementsOf(expected);
      assertRealizedPrivately(taxonomy, traits, signals, example.onlyDataSource());
    }
  }

  /**
   * Taken as private, two of the keys reach exactly the traits whose rules read one of them and
   * hold over all the event's signals.
   */
  private static void assertRealizedPrivately(
      CompiledTaxonomy taxonomy,
      List<Trait> traits,
      Map<String, List<String>> signals,
      Long onlyDataSource) {
    Map<String, List<String>> open = new HashMap<>();
    Map<String, List<String>> hidden = new HashMap<>();
    signals.forEach(
        (key, values) -> (key.equals("c_a") || key.equals("c_c") ? hidden : open).put(key, values));
    Set<Long> expected = new TreeSet<>();
    for (Trait trait : traits) {
      TraitRule rule = TraitRule.parse(trait.getRule());
      if ((onlyDataSource == null || trait.getDataSourceId() == onlyDataSource)
          && rule.keys().stream().anyMatch(hidden::containsKey)
          && rule.matches(signals)) {
        expected.add(trait.getId());
      }
    }
    assertThat(taxonomy.traits().realizePrivate(open, hidden, onlyDataSource))
        .as("private %s, open %s", hidden, open)
        .containsExactlyElementsOf(expected);
  }

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<String> keys = Arbitraries.of("c_a", "c_b", "c_c", "c_d");
    Arbitrary<String> values = Arbitraries.of("1", "2", "x", "xy");
    Arbitrary<String> comparison =
        Combinators.combine(
                keys, Arbitraries.of("==", "!=", "contains", "startswith", ">=", "<"), values)
            .as(
                (key, operator, value) ->
                    key
                        + " "
                        + operator
                        + " "
                        + (operator.equals(">=") || operator.equals("<")
                            ? "1"
                            : "\"" + value + "\""));
    Arbitrary<String> rule =
        Arbitraries.lazyOf(
            () -> comparison,
            () -> comparison,
            () ->
                Combinators.combine(comparison, Arbitraries.of("AND", "OR"), comparison)
                    .as((a, op, b) -> a + " " + op + " " + b),
            () ->
                Combinators.combine(comparison, comparison, comparison)
                    .as((a, b, c) -> "(" + a + " OR " + b + ") AND NOT " + c),
            () -> comparison.map(a -> "NOT " + a));
    Arbitrary<Map<String, List<String>>> signals =
        Arbitraries.maps(
                Arbitraries.of("c_a", "c_b", "c_c", "c_d", "c_e"),
                values.list().ofMinSize(1).ofMaxSize(2))
            .ofMaxSize(4)
            .map(HashMap::new);
    return rule.list()
        .ofMinSize(1)
        .ofMaxSize(12)
        .flatMap(
            rules ->
                Combinators.combine(
                        Arbitraries.of(1L, 2L).list().ofSize(rules.size()),
                        signals
                            .list()
                            .ofMinSize(1)
                            .ofMaxSize(6)
                            .map(
                                events ->
                                    java.util.stream.Stream.concat(events.stream(), events.stream())
                                        .toList()),
                        Arbitraries.of(1L, 2L).injectNull(0.5))
                    .as((dataSources, event, only) -> new Case(rules, dataSources, event, only)));
  }
}
