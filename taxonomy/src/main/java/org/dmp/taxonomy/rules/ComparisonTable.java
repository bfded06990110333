package org.dmp.taxonomy.rules;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The distinct comparisons of many trait rules, numbered per signal key. A value an event holds is
 * compared once with everything the rules say about its key, giving one bit per comparison; the
 * rules are then judged by testing bits ({@link BitRule}). Thousands of rules share few keys and
 * many comparisons, and a value's bits are the same whenever it comes again, so callers may keep
 * them: both make an event's cost follow its keys and values rather than the rules' number.
 *
 * <p>Filled while a taxonomy is compiled, then only read, from any thread.
 */
public final class ComparisonTable {
  private final Map<String, Integer> keyNumbers = new HashMap<>();
  private final List<String> keyNames = new ArrayList<>();
  private final List<List<TraitRule.Comparison>> comparisonsByKey = new ArrayList<>();
  private final List<Map<TraitRule.Comparison, Integer>> bitsByKey = new ArrayList<>();

  /** The key's number, numbering it if new. */
  public int keyNumber(String key) {
    return keyNumbers.computeIfAbsent(
        key,
        k -> {
          keyNames.add(k);
          comparisonsByKey.add(new ArrayList<>());
          bitsByKey.add(new HashMap<>());
          return comparisonsByKey.size() - 1;
        });
  }

  /** The key a number stands for. */
  public String keyName(int keyNumber) {
    return keyNames.get(keyNumber);
  }

  /** How many keys are numbered. */
  public int keys() {
    return comparisonsByKey.size();
  }

  /** The rule over this table's bits, numbering its keys and comparisons. */
  public BitRule add(TraitRule rule) {
    return new BitRule(
        rule.expr()
            .map(
                comparison -> {
                  int key = keyNumber(comparison.key());
                  int bit =
                      bitsByKey
                          .get(key)
                          .computeIfAbsent(
                              comparison,
                              c -> {
                                comparisonsByKey.get(key).add(c);
                                return comparisonsByKey.get(key).size() - 1;
                              });
                  return new BitRule.Bit(key, bit >>> 6, bit & 63);
                }));
  }

  /** The bits, one per comparison of the key, that {@code value} satisfies. */
  public long[] truths(int keyNumber, String value) {
    List<TraitRule.Comparison> comparisons = comparisonsByKey.get(keyNumber);
    long[] truths = new long[words(keyNumber)];
    for (int bit = 0; bit < comparisons.size(); bit++) {
      if (comparisons.get(bit).testOne(value)) {
        truths[bit >>> 6] |= 1L << bit;
      }
    }
    return truths;
  }

  /** The length of the key's bit sets. */
  public int words(int keyNumber) {
    return (comparisonsByKey.get(keyNumber).size() + 63) >>> 6;
  }
}
