package org.dmp.taxonomy.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a rule into tokens: parentheses, brackets, commas, comparison operators, double-quoted
 * strings and atoms (keys, keywords, numbers, {@code 123T}, {@code 7D}). Shared by trait and
 * segment rules, whose parsers give the atoms their meaning.
 */
final class Lexer {
  enum Kind {
    OPEN,
    CLOSE,
    OPEN_BRACKET,
    CLOSE_BRACKET,
    COMMA,
    OPERATOR,
    STRING,
    ATOM,
    END
  }

  /** A token and the 1-based column where it starts. */
  record Token(Kind kind, String text, int column) {
    String describe() {
      return switch (kind) {
        case END -> "the end of the rule";
        case STRING -> "the string \"" + text + "\"";
        default -> "'" + text + "'";
      };
    }
  }

  private Lexer() {}

  static List<Token> tokens(String rule) {
    if (rule == null) {
      throw new RuleSyntaxException(1, "the rule is missing");
    }
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    while (i < rule.length()) {
      char c = rule.charAt(i);
      int column = i + 1;
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '(' || c == ')' || c == '[' || c == ']' || c == ',') {
        Kind kind =
            switch (c) {
              case '(' -> Kind.OPEN;
              case ')' -> Kind.CLOSE;
              case '[' -> Kind.OPEN_BRACKET;
              case ']' -> Kind.CLOSE_BRACKET;
              default -> Kind.COMMA;
            };
        tokens.add(new Token(kind, String.valueOf(c), column));
        i++;
      } else if (c == '=' || c == '!' || c == '<' || c == '>') {
        String two = i + 1 < rule.length() ? rule.substring(i, i + 2) : "";
        if (two.equals("==")
            || two.equals("!=")
            || two.equals(">=")
            || two.equals("<=")
            || two.equals("=>")) {
          tokens.add(new Token(Kind.OPERATOR, two.equals("=>") ? ">=" : two, column));
          i += 2;
        } else if (c == '<' || c == '>') {
          tokens.add(new Token(Kind.OPERATOR, String.valueOf(c), column));
          i++;
        } else {
          throw new RuleSyntaxException(
              column, "'" + c + "' is no operator: write ==, !=, <, >, <= or >=");
        }
      } else if (c == '"') {
        i = string(rule, i, tokens);
      } else if (isAtomChar(c)) {
        int start = i;
        while (i < rule.length() && isAtomChar(rule.charAt(i))) {
          i++;
        }
        tokens.add(new Token(Kind.ATOM, rule.substring(start, i), column));
      } else {
        throw new RuleSyntaxException(column, "unexpected character '" + c + "'");
      }
    }
    tokens.add(new Token(Kind.END, "", rule.length() + 1));
    return tokens;
  }

  private static int string(String rule, int open, List<Token> tokens) {
    StringBuilder text = new StringBuilder();
    int i = open + 1;
    while (i < rule.length()) {
      char c = rule.charAt(i);
      if (c == '"') {
        tokens.add(new Token(Kind.STRING, text.toString(), open + 1));
        return i + 1;
      }
      if (c == '\\' && i + 1 < rule.length()) {
        text.append(rule.charAt(i + 1));
        i += 2;
      } else {
        text.append(c);
        i++;
      }
    }
    throw new RuleSyntaxException(open + 1, "the string is not closed: a closing '\"' is missing");
  }

  private static boolean isAtomChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.' || c == '$';
  }
}
