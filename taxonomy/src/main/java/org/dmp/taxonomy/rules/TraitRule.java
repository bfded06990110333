package org.dmp.taxonomy.rules;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.dmp.taxonomy.rules.Lexer.Kind;
import org.dmp.taxonomy.rules.Lexer.Token;

/**
 * A compiled trait rule: comparisons of signal keys with literals, joined by AND, OR, NOT and
 * parentheses (Audience Manager's trait rule syntax).
 *
 * <p>A key with several values satisfies a comparison if any of them does; a missing key satisfies
 * none. Ordering comparisons ({@code <, >, <=, >=}) are numeric, and false for a value that is not
 * a number. {@code ==} and {@code !=} compare numerically against an unquoted number and as text
 * against a quoted string. Text comparisons are case-sensitive, except {@code matcheswords}.
 * Regular expressions are RE2 (linear time), since the values they meet come from the open web.
 */
public final class TraitRule {
  private final String source;
  private final Expr<Comparison> expr;
  private final Set<String> keys;
  private final boolean matchesWithoutKeys;

  private TraitRule(String source, Expr<Comparison> expr) {
    this.source = source;
    this.expr = expr;
    Set<String> referenced = new HashSet<>();
    expr.forEachLeaf(comparison -> referenced.add(comparison.key()));
    this.keys = Set.copyOf(referenced);
    this.matchesWithoutKeys = matches(Map.of());
  }

  /**
   * @throws RuleSyntaxException saying where and what was expected
   */
  public static TraitRule parse(String rule) {
    return new TraitRule(rule, new Parser(rule).parseRule());
  }

  public boolean matches(Map<String, List<String>> signals) {
    return expr.test(comparison -> comparison.test(signals.get(comparison.key())));
  }

  Expr<Comparison> expr() {
    return expr;
  }

  /**
   * For a rule that is one text equality ({@code c_category == "shoes"}): its key and value, so
   * that such traits, the commonest kind, are found by lookup instead of evaluated one by one.
   */
  public Optional<Map.Entry<String, String>> simpleEquality() {
    if (expr instanceof Expr.Leaf<Comparison> leaf
        && leaf.leaf().operator() == Operator.EQUALS
        && leaf.leaf().quoted()) {
      return Optional.of(Map.entry(leaf.leaf().key(), leaf.leaf().literal()));
    }
    return Optional.empty();
  }

  /**
   * The keys this rule reads: an event with none of them can only match if {@link
   * #matchesWithoutKeys()}.
   */
  public Set<String> keys() {
    return keys;
  }

  /**
   * True for rules such as {@code NOT c_a == "1"}, which an event holding none of the rule's keys
   * satisfies.
   */
  public boolean matchesWithoutKeys() {
    return matchesWithoutKeys;
  }

  @Override
  public String toString() {
    return source;
  }

  /** One comparison of a key's values with a literal. */
  record Comparison(
      String key,
      Operator operator,
      String literal,
      boolean quoted,
      double number,
      Pattern regex,
      Set<String> words) {
    boolean test(List<String> values) {
      if (values == null) {
        return false;
      }
      for (String value : values) {
        if (testOne(value)) {
          return true;
        }
      }
      return false;
    }

    boolean testOne(String value) {
      return switch (operator) {
        case EQUALS -> quoted ? value.equals(literal) : numeric(value) == number;
        case NOT_EQUALS ->
            quoted
                ? !value.equals(literal)
                : !Double.isNaN(numeric(value)) && numeric(value) != number;
        case LESS -> numeric(value) < number;
        case GREATER -> numeric(value) > number;
        case LESS_OR_EQUAL -> numeric(value) <= number;
        case GREATER_OR_EQUAL -> numeric(value) >= number;
        case CONTAINS -> value.contains(literal);
        case STARTS_WITH -> value.startsWith(literal);
        case ENDS_WITH -> value.endsWith(literal);
        case MATCHES_WORDS ->
            Arrays.stream(value.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+"))
                .anyMatch(words::contains);
        case MATCHES_REGEX -> regex.matcher(value).find();
      };
    }

    /** The value as a number, or NaN, which every numeric comparison is false for. */
    private static double numeric(String value) {
      try {
        return Double.parseDouble(value.trim());
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
  }

  enum Operator {
    EQUALS("=="),
    NOT_EQUALS("!="),
    LESS("<"),
    GREATER(">"),
    LESS_OR_EQUAL("<="),
    GREATER_OR_EQUAL(">="),
    CONTAINS("contains"),
    STARTS_WITH("startswith"),
    ENDS_WITH("endswith"),
    MATCHES_WORDS("matcheswords"),
    MATCHES_REGEX("matchesregex");

    private final String symbol;

    Operator(String symbol) {
      this.symbol = symbol;
    }

    boolean numericOnly() {
      return this == LESS || this == GREATER || this == LESS_OR_EQUAL || this == GREATER_OR_EQUAL;
    }

    static Operator of(Token token) {
      String text = token.text().toLowerCase(Locale.ROOT);
      for (Operator operator : values()) {
        if (operator.symbol.equals(text)) {
          return operator;
        }
      }
      return null;
    }
  }

  private static final class Parser extends BooleanParser<Comparison> {
    /**
     * Traits often share a pattern. One compiled pattern serves them all: RE2 keeps a pool of
     * matching machines per pattern, and one warm pool costs far less than thousands of cold ones.
     * Patterns are immutable and thread-safe; the cache is bounded and emptied when full.
     */
    private static final Map<String, Pattern> PATTERNS =
        new java.util.concurrent.ConcurrentHashMap<>();

    private static final int MOST_PATTERNS = 100_000;

    private static Pattern compiled(String regex) {
      Pattern known = PATTERNS.get(regex);
      if (known != null) {
        return known;
      }
      Pattern compiled = Pattern.compile(regex);
      if (PATTERNS.size() >= MOST_PATTERNS) {
        PATTERNS.clear();
      }
      PATTERNS.put(regex, compiled);
      return compiled;
    }

    private static final String OPERATORS =
        "a comparison (==, !=, <, >, <=, >=, contains, startswith, endswith, matcheswords, matchesregex)";

    Parser(String rule) {
      super(rule);
    }

    @Override
    Comparison leaf() {
      Token key = peek();
      if (key.kind() != Kind.ATOM
          || (!Character.isLetter(key.text().charAt(0)) && key.text().charAt(0) != '_')
          || isKeyword(key, "and")
          || isKeyword(key, "or")) {
        throw unexpected("a signal key such as c_category, or '('");
      }
      take();
      Token operatorToken = peek();
      Operator operator =
          operatorToken.kind() == Kind.OPERATOR || operatorToken.kind() == Kind.ATOM
              ? Operator.of(operatorToken)
              : null;
      if (operator == null) {
        throw unexpected(OPERATORS + " after " + key.describe());
      }
      take();
      Token literal = peek();
      if (literal.kind() != Kind.STRING && literal.kind() != Kind.ATOM) {
        throw unexpected(
            "a value (a \"quoted string\" or a number) after " + operatorToken.describe());
      }
      take();
      boolean quoted = literal.kind() == Kind.STRING;
      double number = Comparison.numeric(literal.text());
      if (!quoted && Double.isNaN(number)) {
        throw new RuleSyntaxException(
            literal.column(),
            "expected a number or a \"quoted string\" but found " + literal.describe());
      }
      if (operator.numericOnly() && Double.isNaN(number)) {
        throw new RuleSyntaxException(
            literal.column(),
            operatorToken.describe() + " compares numbers, and " + literal.describe() + " is none");
      }
      Pattern regex = null;
      if (operator == Operator.MATCHES_REGEX) {
        try {
          regex = compiled(literal.text());
        } catch (PatternSyntaxException e) {
          throw new RuleSyntaxException(
              literal.column(), "the regular expression does not compile: " + e.getMessage());
        }
      }
      Set<String> words =
          operator == Operator.MATCHES_WORDS
              ? Set.copyOf(
                  Arrays.asList(literal.text().toLowerCase(Locale.ROOT).trim().split("\\s+")))
              : Set.of();
      return new Comparison(key.text(), operator, literal.text(), quoted, number, regex, words);
    }
  }
}
