package org.dmp.taxonomy;

import java.util.List;

/** Every problem of a taxonomy file, each with the JSON path of the field at fault. */
public final class TaxonomyException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient List<String> problems;

  public TaxonomyException(String source, List<String> problems) {
    super(
        source
            + " has "
            + problems.size()
            + (problems.size() == 1 ? " problem:" : " problems:")
            + problems.stream()
                .map(problem -> System.lineSeparator() + "  " + problem)
                .reduce("", String::concat));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
