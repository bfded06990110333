package org.dmp.config;

import java.util.List;

/** Every problem found in one configuration, so a user fixes them all in one go. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient List<String> problems;

  public ConfigException(String what, List<String> problems) {
    super(describe(what, problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }

  private static String describe(String what, List<String> problems) {
    StringBuilder text =
        new StringBuilder("Configuration of ")
            .append(what)
            .append(" has ")
            .append(problems.size())
            .append(problems.size() == 1 ? " problem:" : " problems:");
    problems.forEach(problem -> text.append(System.lineSeparator()).append("  - ").append(problem));
    return text.toString();
  }
}
