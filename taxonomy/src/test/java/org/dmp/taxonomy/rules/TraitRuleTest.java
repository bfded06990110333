package org.dmp.taxonomy.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

class TraitRuleTest {

  @ParameterizedTest(name = "{0} on {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "c_category == \"shoes\"                                      | c_category=shoes          | true",
        "c_category == \"shoes\"                                      | c_category=Shoes          | false",
        "c_category != \"shoes\"                                      | c_category=hats           | true",
        "c_category != \"shoes\"                                      | other=1                   | false",
        "c_cart >= 100 AND c_cart <= 10000                            | c_cart=250.5              | true",
        "c_cart >= 100 AND c_cart <= 10000                            | c_cart=99                 | false",
        "c_cart > 100                                                 | c_cart=lots               | false",
        "c_cart => 100                                                | c_cart=100                | true",
        "price == 100                                                 | price=100.00              | true",
        "price == \"100\"                                             | price=100.00              | false",
        "(c_make==\"A\") AND (c_model==\"B\") AND (c_search==\"1\")   | c_make=A,c_model=B,c_search=1 | true",
        "(a==\"1\" OR b==\"1\") AND (c==\"new\")                      | b=1,c=new                 | true",
        "(a==\"1\" OR b==\"1\") AND (c==\"new\")                      | a=1                       | false",
        "a==\"1\" OR b==\"1\" AND c==\"new\"                          | a=1                       | true",
        "NOT c_vip == \"1\"                                           | c_vip=0                   | true",
        "not c_vip == \"1\"                                           | other=x                   | true",
        "h_referer contains \"shop\"                                  | h_referer=https://shop.x  | true",
        "c_url startswith \"https\" and c_url ENDSWITH \".html\"      | c_url=https://a/b.html    | true",
        "c_title matcheswords \"running trail\"                       | c_title=Best Trail-Shoes  | true",
        "c_title matcheswords \"running trail\"                       | c_title=trailer           | false",
        "c_sku matchesregex \"^AB-[0-9]+$\"                           | c_sku=AB-123              | true",
        "c_sku matchesregex \"^AB-[0-9]+$\"                           | c_sku=XAB-1               | false"
      })
  void evaluatesLikeAudienceManager(String rule, String signals, boolean expected) {
    assertThat(TraitRule.parse(rule).matches(signals(signals))).isEqualTo(expected);
  }

  @Test
  void aKeyWithSeveralValuesMatchesIfAnyValueDoes() {
    TraitRule rule = TraitRule.parse("c_color == \"blue\"");

    assertThat(rule.matches(Map.of("c_color", List.of("red", "blue")))).isTrue();
    assertThat(rule.matches(Map.of("c_color", List.of()))).isFalse();
  }

  @Test
  void knowsItsKeysAndWhetherItMatchesWithoutThem() {
    assertThat(TraitRule.parse("(a==\"1\" OR b>2) AND NOT c contains \"x\"").keys())
        .containsExactlyInAnyOrder("a", "b", "c");
    assertThat(TraitRule.parse("a == \"1\"").matchesWithoutKeys()).isFalse();
    assertThat(TraitRule.parse("NOT a == \"1\"").matchesWithoutKeys()).isTrue();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''                          | at column 1: the rule is empty",
        "c_a                         | at column 4: expected a comparison (==, !=, <, >, <=, >=, contains",
        "c_a = \"x\"                 | at column 5: '=' is no operator: write ==",
        "c_a == \"x                  | at column 8: the string is not closed",
        "c_a == x                    | at column 8: expected a number or a \"quoted string\" but found 'x'",
        "c_a > \"big\"               | at column 7: '>' compares numbers, and the string \"big\" is none",
        "(c_a == 1                   | at column 10: expected ')' to close the '(' at column 1 but found the end of the rule",
        "c_a == 1 AND                | at column 13: expected a signal key such as c_category, or '(' but found the end of the rule",
        "c_a == 1 c_b == 2           | at column 10: expected AND, OR or the end of the rule but found 'c_b'",
        "c_a matchesregex \"(\"       | at column 18: the regular expression does not compile",
        "c_a == 1 & c_b == 2         | at column 10: unexpected character '&'"
      })
  void saysWhereARuleIsWrongAndWhatWasExpected(String rule, String message) {
    assertThatThrownBy(() -> TraitRule.parse(rule))
        .isInstanceOf(RuleSyntaxException.class)
        .hasMessageStartingWith(message);
  }

  @Property(tries = 3000)
  void anyTextParsesOrFailsWithASyntaxError(@ForAll("ruleish") String text) {
    try {
      TraitRule rule = TraitRule.parse(text);
      rule.matches(Map.of("a", List.of("1", "x")));
    } catch (RuleSyntaxException expected) {
      assertThat(expected.column()).isBetween(1, text.length() + 1);
    }
  }

  @Provide
  Arbitrary<String> ruleish() {
    Arbitrary<String> pieces =
        Arbitraries.of(
            "a",
            "b",
            "==",
            "!=",
            ">=",
            "<=",
            "=>",
            "<",
            ">",
            "=",
            "!",
            "AND",
            "or",
            "NOT",
            "(",
            ")",
            "\"x\"",
            "\"",
            "1",
            "-2.5",
            "contains",
            "matchesregex",
            "\"[\"",
            "\\",
            " ",
            "[",
            "]",
            "1T",
            "frequency",
            ",");
    return Arbitraries.oneOf(
        pieces.list().ofMaxSize(12).map(list -> String.join(" ", list)),
        Arbitraries.strings().ofMaxLength(40));
  }

  static Map<String, List<String>> signals(String text) {
    Map<String, List<String>> signals = new java.util.HashMap<>();
    for (String pair : text.split(",", -1)) {
      String[] keyValue = pair.split("=", 2);
      signals.computeIfAbsent(keyValue[0], key -> new java.util.ArrayList<>()).add(keyValue[1]);
    }
    return signals;
  }
}
