package org.dmp.qualifier.populations;

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
    return name(kind, id);
  }

  public static String name(PopulationKind kind, long id) {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + id;
  }
}
