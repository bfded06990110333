package org.dmp.taxonomy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dmp.avro.VisitEvent;

/**
 * Signals: keys with their values in order, as a tag sends them and trait rules read them. The one
 * way to build and combine them.
 */
public final class Signals {
  private Signals() {}

  /**
   * The signals that trait rules see in an event: its keys as sent, and its {@code h_} attributes
   * as one value each.
   */
  public static Map<String, List<String>> of(VisitEvent event) {
    if (event.getHttpAttributes().isEmpty()) {
      return event.getSignals();
    }
    Map<String, List<String>> signals = new HashMap<>(event.getSignals());
    event.getHttpAttributes().forEach((key, value) -> signals.put(key, List.of(value)));
    return signals;
  }

  /**
   * Adds {@code values} after those {@code signals} already holds for {@code key}; the lists given
   * are never changed.
   */
  public static void append(Map<String, List<String>> signals, String key, List<String> values) {
    signals.merge(key, values, Signals::concat);
  }

  /** {@code first} then {@code second}: keys in order of appearance, a key's values from both. */
  public static Map<String, List<String>> merged(
      Map<String, List<String>> first, Map<String, List<String>> second) {
    if (second.isEmpty()) {
      return first;
    }
    Map<String, List<String>> merged = new LinkedHashMap<>(first);
    second.forEach((key, values) -> append(merged, key, values));
    return merged;
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> both = new ArrayList<>(first.size() + second.size());
    both.addAll(first);
    both.addAll(second);
    return both;
  }
}
