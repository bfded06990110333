package org.dmp.taxonomy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dmp.taxonomy.rules.BitRule;
import org.dmp.taxonomy.rules.ComparisonTable;

/**
 * One thread's working memory for evaluating trait rules: what each value met so far gave (bounded
 * in count and in bytes: emptied when full, so that values seen once, such as URLs, cannot grow it;
 * values too long to be worth it are not kept at all), and one event's state: the bits of its keys,
 * and which rules over several keys it has had judged already (such a rule is found once per key it
 * reads). Arrays stamped with the event's number cost far less than per-event sets and maps, which
 * with thousands of rules made a large part of an event's cost. Not thread-safe: a {@link
 * TraitIndex} keeps one per thread.
 */
final class EvaluationSession implements BitRule.Truths {
  private static final int MOST_REMEMBERED_VALUES = 1 << 17;

  /** About the bytes of the values and outcomes kept, per thread. */
  static final long MOST_REMEMBERED_BYTES = 32L << 20;

  /** Longer values (a page URL with its query, say) are rarely met twice: judged each time. */
  static final int LONGEST_REMEMBERED_VALUE = 1024;

  private final ComparisonTable comparisons;
  private final int[] traitStamps;
  private final int[] keyStamps;
  private final long[][] bits;
  private final Map<String, ValueOutcome>[] outcomes;
  private int rememberedValues;
  private long rememberedBytes;

  /** The keys of this event whose rules it reaches. */
  final List<KeyRules> reachedRules = new ArrayList<>();

  /** The keys of this event whose comparisons' bits it holds. */
  final List<KeyRules> heldRules = new ArrayList<>();

  private int event;

  /**
   * What one value of a key gives: the bits of the key's comparisons, and the traits over that key
   * alone it realizes.
   */
  @SuppressWarnings("ArrayRecordComponent") // Never compared: a memo entry, its bits read in place.
  private record ValueOutcome(long[] bits, List<TraitIndex.CompiledTrait> realizedAlone) {}

  @SuppressWarnings("unchecked")
  EvaluationSession(ComparisonTable comparisons, int traits) {
    this.comparisons = comparisons;
    traitStamps = new int[traits];
    keyStamps = new int[comparisons.keys()];
    bits = new long[comparisons.keys()][];
    outcomes = new Map[comparisons.keys()];
  }

  void nextEvent() {
    reachedRules.clear();
    heldRules.clear();
    if (++event == 0) {
      Arrays.fill(traitStamps, 0);
      Arrays.fill(keyStamps, 0);
      event = 1;
    }
  }

  /**
   * Holds the bits of the key's values for rules over several keys, and adds the traits over this
   * key alone that the values realize to {@code realized} (when not null). One value's are known
   * once seen; several values' bits are those of each, OR-ed, and the rules are judged on those.
   */
  void hold(KeyRules rules, List<String> values, Set<Long> realized, Long targetDataSourceId) {
    int key = rules.number;
    keyStamps[key] = event;
    if (values.size() == 1) {
      ValueOutcome outcome = outcomeOf(rules, values.get(0));
      bits[key] = outcome.bits();
      if (realized != null) {
        TraitIndex.addAll(outcome.realizedAlone(), realized, targetDataSourceId);
      }
      return;
    }
    long[] any = new long[comparisons.words(key)];
    for (String value : values) {
      long[] valueBits = outcomeOf(rules, value).bits();
      for (int word = 0; word < any.length; word++) {
        any[word] |= valueBits[word];
      }
    }
    bits[key] = any;
    if (realized != null) {
      for (TraitIndex.CompiledTrait trait : rules.alone) {
        if ((targetDataSourceId == null || trait.dataSourceId() == targetDataSourceId)
            && trait.bits().matches(this)) {
          realized.add(trait.id());
        }
      }
    }
  }

  private ValueOutcome outcomeOf(KeyRules rules, String value) {
    Map<String, ValueOutcome> known = outcomes[rules.number];
    if (known == null) {
      known = outcomes[rules.number] = new HashMap<>();
    }
    ValueOutcome outcome = known.get(value);
    if (outcome == null) {
      long[] valueBits = comparisons.truths(rules.number, value);
      List<TraitIndex.CompiledTrait> realizedAlone = new ArrayList<>();
      for (TraitIndex.CompiledTrait trait : rules.alone) {
        if (trait.bits().matches(key -> valueBits)) {
          realizedAlone.add(trait);
        }
      }
      outcome =
          new ValueOutcome(
              valueBits, realizedAlone.isEmpty() ? List.of() : List.copyOf(realizedAlone));
      if (value.length() > LONGEST_REMEMBERED_VALUE) {
        return outcome;
      }
      // The string, the bits, the entry and the outcome, with their headers.
      long bytes = 2L * value.length() + 8L * valueBits.length + 8L * realizedAlone.size() + 160;
      if (++rememberedValues > MOST_REMEMBERED_VALUES
          || rememberedBytes + bytes > MOST_REMEMBERED_BYTES) {
        Arrays.fill(outcomes, null);
        rememberedValues = 1;
        rememberedBytes = 0;
        known = outcomes[rules.number] = new HashMap<>();
      }
      rememberedBytes += bytes;
      known.put(value, outcome);
    }
    return outcome;
  }

  /** About how many bytes the remembered values hold. */
  long rememberedBytes() {
    return rememberedBytes;
  }

  @Override
  public long[] of(int keyNumber) {
    return keyStamps[keyNumber] == event ? bits[keyNumber] : null;
  }

  /** True the first time in this event. */
  boolean firstEvaluation(TraitIndex.CompiledTrait trait) {
    if (traitStamps[trait.index()] == event) {
      return false;
    }
    traitStamps[trait.index()] = event;
    return true;
  }
}
