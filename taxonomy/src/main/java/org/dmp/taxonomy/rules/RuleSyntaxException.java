package org.dmp.taxonomy.rules;

/** A rule that does not parse: says where (1-based column) and what was expected there. */
public final class RuleSyntaxException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int column;

  public RuleSyntaxException(int column, String problem) {
    super("at column " + column + ": " + problem, null, false, false);
    this.column = column;
  }

  public int column() {
    return column;
  }
}
