package org.dmp.taxonomy.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dmp.taxonomy.rules.Lexer.Kind;
import org.dmp.taxonomy.rules.Lexer.Token;

/**
 * Recursive descent over the boolean structure both rule kinds share, lowest precedence first: OR,
 * AND, NOT, then parentheses or a leaf, which the subclass parses. Keywords are case-insensitive.
 */
abstract class BooleanParser<L> {
  private final List<Token> tokens;
  private int next;

  BooleanParser(String rule) {
    this.tokens = Lexer.tokens(rule);
  }

  /** The whole rule; anything left over after a complete expression is an error. */
  final Expr<L> parseRule() {
    if (peek().kind() == Kind.END) {
      throw new RuleSyntaxException(peek().column(), "the rule is empty");
    }
    Expr<L> expr = or();
    if (peek().kind() != Kind.END) {
      throw unexpected("AND, OR or the end of the rule");
    }
    return expr;
  }

  /** Parses one leaf at the current token. */
  abstract L leaf();

  private Expr<L> or() {
    List<Expr<L>> terms = new ArrayList<>(List.of(and()));
    while (isKeyword(peek(), "or")) {
      take();
      terms.add(and());
    }
    return terms.size() == 1 ? terms.get(0) : new Expr.Or<>(List.copyOf(terms));
  }

  private Expr<L> and() {
    List<Expr<L>> terms = new ArrayList<>(List.of(not()));
    while (isKeyword(peek(), "and")) {
      take();
      terms.add(not());
    }
    return terms.size() == 1 ? terms.get(0) : new Expr.And<>(List.copyOf(terms));
  }

  private Expr<L> not() {
    if (isKeyword(peek(), "not")) {
      take();
      return new Expr.Not<>(not());
    }
    if (peek().kind() == Kind.OPEN) {
      Token open = take();
      Expr<L> inner = or();
      expect(Kind.CLOSE, "')' to close the '(' at column " + open.column());
      return inner;
    }
    return new Expr.Leaf<>(leaf());
  }

  final Token peek() {
    return tokens.get(next);
  }

  final Token take() {
    Token token = tokens.get(next);
    if (token.kind() != Kind.END) {
      next++;
    }
    return token;
  }

  final Token expect(Kind kind, String what) {
    if (peek().kind() != kind) {
      throw unexpected(what);
    }
    return take();
  }

  final RuleSyntaxException unexpected(String expected) {
    return new RuleSyntaxException(
        peek().column(), "expected " + expected + " but found " + peek().describe());
  }

  static boolean isKeyword(Token token, String keyword) {
    return token.kind() == Kind.ATOM && token.text().toLowerCase(Locale.ROOT).equals(keyword);
  }
}
