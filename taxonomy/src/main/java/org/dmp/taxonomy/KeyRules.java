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
 */
final class KeyRules {
  final Map<String, List<TraitIndex.CompiledTrait>> equalitiesByValue = new HashMap<>();
  final List<TraitIndex.CompiledTrait> alone = new ArrayList<>();
  final List<TraitIndex.CompiledTrait> amongOthers = new ArrayList<>();
  int number = -1;
}
