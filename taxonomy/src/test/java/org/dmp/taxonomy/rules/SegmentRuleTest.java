package org.dmp.taxonomy.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SegmentRuleTest {
  private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

  /** Realizations as (trait, days ago) pairs, none of them expired. */
  private static Realizations realized(Map<Long, List<Integer>> daysAgo) {
    return (traitIds, window, now) ->
        (int)
            Arrays.stream(traitIds)
                .flatMap(
                    trait ->
                        daysAgo.getOrDefault(trait, List.of()).stream()
                            .mapToLong(Integer::longValue))
                .filter(days -> window.contains(Duration.ofDays(days)))
                .count();
  }

  @Test
  void frequencyCountsTheListedTraitsTogether() {
    SegmentRule rule = SegmentRule.parse("frequency([101T, 102T]) >= 3");

    assertThat(rule.matches(realized(Map.of(101L, List.of(1, 2), 102L, List.of(3))), NOW)).isTrue();
    assertThat(rule.matches(realized(Map.of(101L, List.of(1, 2))), NOW)).isFalse();
    assertThat(rule.traits()).containsExactlyInAnyOrder(101L, 102L);
  }

  @Test
  void recencyLimitsTheAgeOfCountedRealizations() {
    SegmentRule recent = SegmentRule.parse("frequency([1000T] <= 2D) >= 2");
    SegmentRule old = SegmentRule.parse("frequency([1000T] >= 30d) >= 1");
    Realizations history = realized(Map.of(1000L, List.of(0, 1, 5, 40)));

    assertThat(recent.matches(history, NOW)).isTrue();
    assertThat(recent.matches(realized(Map.of(1000L, List.of(1, 5))), NOW)).isFalse();
    assertThat(old.matches(history, NOW)).isTrue();
    assertThat(old.matches(realized(Map.of(1000L, List.of(1))), NOW)).isFalse();
  }

  @Test
  void combinesTermsWithBooleans() {
    SegmentRule rule = SegmentRule.parse("frequency([102T] <= 7D) >= 1 AND NOT [201T]");

    assertThat(rule.matches(realized(Map.of(102L, List.of(3))), NOW)).isTrue();
    assertThat(rule.matches(realized(Map.of(102L, List.of(3), 201L, List.of(100))), NOW)).isFalse();
    assertThat(rule.matches(realized(Map.of(102L, List.of(8))), NOW)).isFalse();
    assertThat(
            SegmentRule.parse("[1T] OR ([2T] and frequency([3T]) == 2)")
                .matches(realized(Map.of(2L, List.of(1), 3L, List.of(1, 2))), NOW))
        .isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "frequency([1T]) <= 5          | this rule qualifies visitors who never realized any of its traits; join it by AND to a positive term such as [1T]",
        "NOT [1T]                      | this rule qualifies visitors who never realized any of its traits",
        "[1T] OR frequency([2T]) <= 1  | this rule qualifies visitors who never realized any of its traits"
      })
  void refusesRulesThatQualifyEveryone(String rule, String message) {
    assertThatThrownBy(() -> SegmentRule.parse(rule))
        .isInstanceOf(RuleSyntaxException.class)
        .hasMessageContaining(message);
  }

  @Test
  void aNegativeTermJoinedByAndToAPositiveOneIsFine() {
    assertThat(SegmentRule.parse("[2T] AND frequency([1T]) <= 5").traits())
        .containsExactlyInAnyOrder(1L, 2L);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "[123]                         | at column 2: expected a trait such as 123T but found '123'",
        "[123T                         | at column 6: expected ']' after the trait but found the end of the rule",
        "frequency[1T] >= 1            | at column 10: expected '(' after frequency but found '['",
        "frequency([1T] < 3D) >= 1     | at column 16: a recency takes <= or >=, not '<'",
        "frequency([1T] <= 3W) >= 1    | at column 19: expected a number of days such as 7D but found '3W'",
        "frequency([1T]) >= many       | at column 20: expected a count (a whole number) but found 'many'",
        "frequency([1T]) != 1          | at column 17: expected a frequency comparison",
        "c_a == 1                      | at column 1: expected [<id>T], frequency([...]) or '(' but found 'c_a'"
      })
  void saysWhereARuleIsWrongAndWhatWasExpected(String rule, String message) {
    assertThatThrownBy(() -> SegmentRule.parse(rule))
        .isInstanceOf(RuleSyntaxException.class)
        .hasMessageStartingWith(message);
  }

  @Property(tries = 3000)
  void anyTextParsesOrFailsWithASyntaxError(@ForAll("ruleish") String text) {
    try {
      SegmentRule.parse(text).matches(realized(Map.of(1L, List.of(1))), NOW);
    } catch (RuleSyntaxException expected) {
      assertThat(expected.column()).isBetween(1, text.length() + 1);
    }
  }

  @Provide
  Arbitrary<String> ruleish() {
    Arbitrary<String> pieces =
        Arbitraries.of(
            "[",
            "]",
            "1T",
            "2t",
            "0T",
            "T",
            "frequency",
            "(",
            ")",
            ",",
            ">=",
            "<=",
            "==",
            "!=",
            "3",
            "7D",
            "d",
            "AND",
            "or",
            "not",
            "\"",
            "x",
            " ");
    return Arbitraries.oneOf(
        pieces.list().ofMaxSize(14).map(list -> String.join("", list)),
        Arbitraries.strings().ofMaxLength(40));
  }
}
