package org.dmp.qualifier.populations;

import java.util.Locale;
import org.dmp.avro.PopulationKind;

/** A visitor joined ({@code +1}) or left ({@code -1}) a trait or a segment. */
public record PopulationChange(PopulationKind kind, long id, int delta) {
  public static PopulationChange joined(PopulationKind kind, long id) {
    return new PopulationChange(kind, id, 1);
  }

  public static PopulationChange left(PopulationKind kind, long id) {
    return new PopulationChange(kind, id, -1);
  }

  /** The population's name in stores and on dmp.populations: {@code segment:5001}. */
  public String population() {
    return kind.name().toLowerCase(Locale.ROOT) + ":" + id;
  }

  /** The kind and id of a population's name. */
  static PopulationChange named(String population) {
    int colon = population.indexOf(':');
    return new PopulationChange(
        PopulationKind.valueOf(population.substring(0, colon).toUpperCase(Locale.ROOT)),
        Long.parseLong(population.substring(colon + 1)),
        0);
  }
}
