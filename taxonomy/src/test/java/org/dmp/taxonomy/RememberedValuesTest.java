package org.dmp.taxonomy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.dmp.avro.Trait;
import org.dmp.avro.TraitType;
import org.dmp.taxonomy.rules.TraitRule;

/**
 * What the index realizes, with the values it remembers, is what each rule says of the event on its
 * own: over values that repeat (found again), that share a hash ("Aa" and "BB"), that are not
 * Latin-1, that are empty, or too long to be remembered, and over keys whose names and values run
 * together the same ("c_k" with "Aa", "c_kA" with "a").
 */
class RememberedValuesTest {
  private static final List<String> VALUES =
      List.of(
          "",
          "a",
          "Aa",
          "BB",
          "AaAa",
          "BBBB",
          "AaBB",
          "v1",
          "v2",
          "v3",
          "v12",
          "schuhe-größe",
          "靴",
          "shoes/red",
          "x".repeat(EvaluationSession.LONGEST_REMEMBERED_VALUE + 1));

  private static final List<String> RULES =
      List.of(
          "%s == \"Aa\"",
          "%s == \"BB\"",
          "%s contains \"a\"",
          "%s endswith \"2\" AND %s startswith \"v\"",
          "(%s == \"v1\" OR c_other == \"v2\") AND NOT %s == \"v3\"",
          "%s matchesregex \"^v[0-9]$\"",
          "%s == \"靴\" OR %s contains \"größe\"",
          "%s startswith \"xxx\"");

  @Property(tries = 200)
  void theIndexRealizesWhatEachRuleSays(@ForAll("events") List<Map<String, List<String>>> events) {
    List<Trait> traits = new ArrayList<>();
    List<TraitRule> rules = new ArrayList<>();
    for (String key : List.of("c_k", "c_kA", "c_other")) {
      for (String shape : RULES) {
        String rule = shape.replace("%s", key);
        traits.add(new Trait((long) traits.size() + 1, "t", null, 1L, TraitType.RULE, rule, 30));
        rules.add(TraitRule.parse(rule));
      }
    }
    TraitIndex index = new TraitIndex(traits);
    for (Map<String, List<String>> signals : events) {
      Set<Long> expected = new TreeSet<>();
      for (int at = 0; at < rules.size(); at++) {
        if (rules.get(at).matches(signals)) {
          expected.add(traits.get(at).getId());
        }
      }
      assertThat(index.realize(signals, null)).as("%s", signals).isEqualTo(expected);
    }
  }

  @Provide
  Arbitrary<List<Map<String, List<String>>>> events() {
    Arbitrary<List<String>> values = Arbitraries.of(VALUES).list().ofMinSize(1).ofMaxSize(3);
    return Arbitraries.maps(Arbitraries.of("c_k", "c_kA", "c_other", "c_none"), values)
        .ofMinSize(1)
        .ofMaxSize(3)
        .map(LinkedHashMap::new)
        .map(map -> (Map<String, List<String>>) map)
        .list()
        .ofMinSize(1)
        .ofMaxSize(40);
  }
}
