package org.dmp.taxonomy.rules;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dmp.taxonomy.rules.Lexer.Kind;
import org.dmp.taxonomy.rules.Lexer.Token;

/**
 * A compiled segment rule (Audience Manager's syntax): {@code [123T]} (realized within its TTL),
 * {@code frequency([123T, 456T]) >= 3} (realizations of the listed traits counted together) and
 * {@code frequency([123T] <= 7D) >= 1} (only realizations at most, or with {@code >=} at least,
 * that many days old), joined by AND, OR, NOT and parentheses.
 *
 * <p>A rule that a visitor who never realized any trait would satisfy, such as {@code
 * frequency([1T]) <= 5} or {@code NOT [1T]} on their own, is refused: it would put every visitor in
 * the segment.
 */
public final class SegmentRule {
  private static final Pattern TRAIT = Pattern.compile("([1-9][0-9]{0,17})[tT]");
  private static final Pattern DAYS = Pattern.compile("([0-9]{1,5})[dD]");
  private static final Pattern COUNT = Pattern.compile("[0-9]{1,9}");

  private final String source;
  private final Expr<Frequency> expr;
  private final Set<Long> traits;
  private final List<Realizations.Window> windows;

  private SegmentRule(String source, Expr<Frequency> expr) {
    this.source = source;
    this.expr = expr;
    Set<Long> referenced = new TreeSet<>();
    List<Realizations.Window> used = new ArrayList<>();
    expr.forEachLeaf(
        frequency -> {
          for (long trait : frequency.traits()) {
            referenced.add(trait);
          }
          if (!frequency.window().equals(Realizations.Window.ANY)) {
            used.add(frequency.window());
          }
        });
    this.traits = Set.copyOf(referenced);
    this.windows = List.copyOf(used);
  }

  /**
   * @throws RuleSyntaxException saying where and what was expected, or why the rule qualifies
   *     everyone
   */
  public static SegmentRule parse(String rule) {
    SegmentRule parsed = new SegmentRule(rule, new Parser(rule).parseRule());
    if (parsed.matches(Realizations.NONE, Instant.EPOCH)) {
      throw new RuleSyntaxException(
          1,
          "this rule qualifies visitors who never realized any of its traits;"
              + " join it by AND to a positive term such as ["
              + parsed.traits.iterator().next()
              + "T]");
    }
    return parsed;
  }

  public boolean matches(Realizations realizations, Instant now) {
    return expr.test(frequency -> frequency.test(realizations, now));
  }

  /**
   * The recency windows this rule uses: a realization crossing one of their edges may change
   * whether it matches.
   */
  public List<Realizations.Window> windows() {
    return windows;
  }

  /** The traits this rule reads: only their realizations can change whether it matches. */
  public Set<Long> traits() {
    return traits;
  }

  @Override
  public String toString() {
    return source;
  }

  /** Realizations of some traits in a window, compared with a count. */
  @SuppressWarnings(
      "ArrayRecordComponent") // Rules are compared by their text, never by their compiled parts.
  record Frequency(long[] traits, Realizations.Window window, String operator, int count) {
    boolean test(Realizations realizations, Instant now) {
      int realized = realizations.count(traits, window, now);
      return switch (operator) {
        case ">=" -> realized >= count;
        case "<=" -> realized <= count;
        case ">" -> realized > count;
        case "<" -> realized < count;
        default -> realized == count;
      };
    }
  }

  private static final class Parser extends BooleanParser<Frequency> {
    Parser(String rule) {
      super(rule);
    }

    @Override
    Frequency leaf() {
      if (peek().kind() == Kind.OPEN_BRACKET) {
        take();
        long trait = trait();
        expect(Kind.CLOSE_BRACKET, "']' after the trait");
        return new Frequency(new long[] {trait}, Realizations.Window.ANY, ">=", 1);
      }
      if (!isKeyword(peek(), "frequency")) {
        throw unexpected("[<id>T], frequency([...]) or '('");
      }
      take();
      expect(Kind.OPEN, "'(' after frequency");
      expect(Kind.OPEN_BRACKET, "'[' to open the list of traits");
      List<Long> traits = new ArrayList<>(List.of(trait()));
      while (peek().kind() == Kind.COMMA) {
        take();
        traits.add(trait());
      }
      expect(Kind.CLOSE_BRACKET, "',' or ']'");
      Realizations.Window window = Realizations.Window.ANY;
      if (peek().kind() == Kind.OPERATOR) {
        window = window();
      }
      expect(Kind.CLOSE, "a recency such as <= 7D, or ')' to close frequency(");
      Token operator = peek();
      if (operator.kind() != Kind.OPERATOR || operator.text().equals("!=")) {
        throw unexpected("a frequency comparison (>=, <=, ==, >, <) after frequency(...)");
      }
      take();
      Token count = expect(Kind.ATOM, "a count");
      if (!COUNT.matcher(count.text()).matches()) {
        throw new RuleSyntaxException(
            count.column(), "expected a count (a whole number) but found " + count.describe());
      }
      return new Frequency(
          traits.stream().mapToLong(Long::longValue).toArray(),
          window,
          operator.text(),
          Integer.parseInt(count.text()));
    }

    private long trait() {
      Token token = peek();
      Matcher matcher = token.kind() == Kind.ATOM ? TRAIT.matcher(token.text()) : null;
      if (matcher == null || !matcher.matches()) {
        throw unexpected("a trait such as 123T");
      }
      take();
      return Long.parseLong(matcher.group(1));
    }

    private Realizations.Window window() {
      Token operator = take();
      if (!operator.text().equals("<=") && !operator.text().equals(">=")) {
        throw new RuleSyntaxException(
            operator.column(), "a recency takes <= or >=, not " + operator.describe());
      }
      Token days = peek();
      Matcher matcher =
          days.kind() == Kind.ATOM ? DAYS.matcher(days.text().toUpperCase(Locale.ROOT)) : null;
      if (matcher == null || !matcher.matches()) {
        throw unexpected("a number of days such as 7D");
      }
      take();
      Duration age = Duration.ofDays(Long.parseLong(matcher.group(1)));
      return operator.text().equals("<=")
          ? new Realizations.Window(Duration.ZERO, age)
          : new Realizations.Window(age, null);
    }
  }
}
