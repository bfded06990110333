package org.dmp.taxonomy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rule traits a signal key leads to: those that are one text equality over it, by value, the
 * commonest kind, found by lookup; those that read it alone; and those that read it among other
 * keys. The last two are judged by the bits of the key's comparisons ({@code number} in the
 * comparison table, or -1 if only equalities read the key).
 *
 * <p>A rule over several keys that cannot hold unless one of a few comparisons does is judged only
 * when an event sets one of those bits ({@code triggered}, by the comparison's number among this
 * key's): most events set few bits, and judging every such rule of every key an event holds, each
 * in memory of its own, was most of an event's cost with thousands of rules.
 */
final class KeyRules {
  private static final TraitIndex.CompiledTrait[] NONE = new TraitIndex.CompiledTrait[0];

  final Map<String, List<TraitIndex.CompiledTrait>> equalitiesByValue = new HashMap<>();
  final List<TraitIndex.CompiledTrait> alone = new ArrayList<>();

  /** Rules over several keys judged whenever the key is held: those without triggers. */
  final List<TraitIndex.CompiledTrait> amongOthers = new ArrayList<>();

  /** This key's place among the taxonomy's keys that have rules. */
  final int index;

  private final Map<Integer, List<TraitIndex.CompiledTrait>> triggering = new HashMap<>();
  private TraitIndex.CompiledTrait[][] triggered = new TraitIndex.CompiledTrait[0][];
  int number = -1;

  KeyRules(int index) {
    this.index = index;
  }

  void triggeredBy(int comparison, TraitIndex.CompiledTrait trait) {
    triggering.computeIfAbsent(comparison, c -> new ArrayList<>()).add(trait);
  }

  /** Ends the compilation: the triggered rules, as arrays by comparison. */
  void seal() {
    int size = triggering.keySet().stream().mapToInt(c -> c + 1).max().orElse(0);
    triggered = new TraitIndex.CompiledTrait[size][];
    for (int comparison = 0; comparison < size; comparison++) {
      triggered[comparison] = triggering.getOrDefault(comparison, List.of()).toArray(NONE);
    }
    triggering.clear();
  }

  /** The rules that a set bit for this comparison may make hold. */
  TraitIndex.CompiledTrait[] triggeredBy(int comparison) {
    return comparison < triggered.length ? triggered[comparison] : NONE;
  }
}
