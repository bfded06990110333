package org.dmp.edge.provider;

import java.util.List;
import java.util.Map;

/** What real-time providers added to a hit: signals to record and traits realized. */
public record Enrichment(Map<String, List<String>> signals, List<Long> traits) {
  public static final Enrichment NONE = new Enrichment(Map.of(), List.of());

  public Enrichment {
    signals = Map.copyOf(signals);
    traits = List.copyOf(traits);
  }
}
