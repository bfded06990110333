package org.dmp.taxonomy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dmp.taxonomy.rules.BitRule;
import org.dmp.taxonomy.rules.ComparisonTable;

/**
 * One thread's working memory for evaluating trait rules: what each signal (a key and a value) met
 * so far gave (bounded in count and in bytes: emptied when full, so that values seen once, such as
 * URLs, cannot grow it; signals too long to be worth it are not kept at all), and one event's
 * state: the bits of its keys, and which rules over several keys it has had judged already (such a
 * rule is found once per key it reads). Arrays stamped with the event's number cost far less than
 * per-event sets and maps, which with thousands of rules made a large part of an event's cost. Not
 * thread-safe: a {@link TraitIndex} keeps one per thread.
 */
final class EvaluationSession implements BitRule.Truths {
  private static final int MOST_REMEMBERED_VALUES = 1 << 17;

  /** About the bytes of the signals and outcomes kept, per thread. */
  static final long MOST_REMEMBERED_BYTES = 32L << 20;

  /** Longer values (a page URL with its query, say) are rarely met twice: judged each time. */
  static final int LONGEST_REMEMBERED_VALUE = 1024;

  private static final long[] NO_BITS = {};

  private final ComparisonTable comparisons;
  private final Map<String, KeyRules> rulesByKey;
  private final KeyRules[] rulesByIndex;
  private final int[] traitStamps;
  private final int[] keyStamps;
  private final long[][] bits;

  /** Per key, the bits of its one value in this event, reused from event to event. */
  private final long[][] oneValueBits;

  private final SignalMemo memo = new SignalMemo();

  /** Where a signal too long to remember is judged, each time. */
  private final SignalMemo unremembered = new SignalMemo();

  private int rememberedValues;
  private long rememberedBytes;

  /** The keys of this event whose rules it reaches. */
  final List<KeyRules> reachedRules = new ArrayList<>();

  /** The keys of this event whose comparisons' bits it holds. */
  final List<KeyRules> heldRules = new ArrayList<>();

  private int event;

  /**
   * The signals remembered, laid out so that finding one reads two or three lines of memory rather
   * than the maps of keys, of values and of equalities it once took (with 100,000 signals
   * remembered, each object read is a wait on main memory, and an event has a dozen signals). Each
   * entry is a run of longs in one array: the lengths of the key and the value and the key's rules
   * (their {@link KeyRules#index}); how many traits the value realizes by equality and alone, and
   * how many words the key's bits take; the key's and the value's chars, four to a long; the bits
   * of the key's comparisons; then each trait realized, equalities first, as its id and its data
   * source's. A table of open addresses holds each entry's hash and where it starts.
   */
  private static final class SignalMemo {
    private long[] slots = new long[16];
    private long[] entries = new long[64];
    private int used;
    private int count;

    /** Where the signal's entry starts, or -1. */
    int find(String key, String value, int hash) {
      int mask = slots.length - 1;
      for (int slot = spread(hash) & mask; ; slot = (slot + 1) & mask) {
        long held = slots[slot];
        if (held == 0) {
          return -1;
        }
        if ((int) (held >>> 32) == hash && holds((int) held - 1, key, value)) {
          return (int) held - 1;
        }
      }
    }

    private boolean holds(int at, String key, String value) {
      long header = entries[at];
      int keyLength = key.length();
      if (keyLength(header) != keyLength || valueLength(header) != value.length()) {
        return false;
      }
      int chars = at + 2;
      for (int index = 0; index < keyLength; index++) {
        if (charAt(chars, index) != key.charAt(index)) {
          return false;
        }
      }
      for (int index = 0; index < value.length(); index++) {
        if (charAt(chars, keyLength + index) != value.charAt(index)) {
          return false;
        }
      }
      return true;
    }

    private char charAt(int chars, int index) {
      return (char) (entries[chars + (index >>> 2)] >>> ((index & 3) << 4));
    }

    /** Adds an entry for the signal; where it starts. */
    int add(
        String key,
        String value,
        int hash,
        KeyRules rules,
        long[] valueBits,
        List<TraitIndex.CompiledTrait> equalities,
        List<TraitIndex.CompiledTrait> alone) {
      int length = key.length() + value.length();
      int charLongs = (length + 3) >>> 2;
      int size = 2 + charLongs + valueBits.length + 2 * (equalities.size() + alone.size());
      if (used + size > entries.length) {
        entries = Arrays.copyOf(entries, Math.max(entries.length * 2, used + size));
      }
      int at = used;
      entries[at] = (long) key.length() << 48 | (long) value.length() << 32 | rules.index;
      entries[at + 1] =
          (long) equalities.size() << 40 | (long) alone.size() << 20 | valueBits.length;
      Arrays.fill(entries, at + 2, at + 2 + charLongs, 0);
      for (int index = 0; index < length; index++) {
        char each = index < key.length() ? key.charAt(index) : value.charAt(index - key.length());
        entries[at + 2 + (index >>> 2)] |= (long) each << ((index & 3) << 4);
      }
      System.arraycopy(valueBits, 0, entries, at + 2 + charLongs, valueBits.length);
      int traitsAt = at + 2 + charLongs + valueBits.length;
      for (List<TraitIndex.CompiledTrait> traits : List.of(equalities, alone)) {
        for (TraitIndex.CompiledTrait trait : traits) {
          entries[traitsAt++] = trait.id();
          entries[traitsAt++] = trait.dataSourceId();
        }
      }
      used += size;
      if (2 * ++count > slots.length) {
        rehash(slots.length * 2);
      }
      place(slots, (long) hash << 32 | (at + 1));
      return at;
    }

    private void rehash(int size) {
      long[] grown = new long[size];
      for (long held : slots) {
        if (held != 0) {
          place(grown, held);
        }
      }
      slots = grown;
    }

    private static void place(long[] table, long held) {
      int mask = table.length - 1;
      int slot = spread((int) (held >>> 32)) & mask;
      while (table[slot] != 0) {
        slot = (slot + 1) & mask;
      }
      table[slot] = held;
    }

    private static int spread(int hash) {
      return hash ^ (hash >>> 16);
    }

    private static int keyLength(long header) {
      return (int) (header >>> 48);
    }

    private static int valueLength(long header) {
      return (int) (header >>> 32) & 0xffff;
    }

    /** The index of the key's rules, of the entry at {@code at}. */
    int rulesIndex(int at) {
      return (int) entries[at];
    }

    /** Where the bits of the entry at {@code at} start. */
    int bitsAt(int at) {
      long header = entries[at];
      return at + 2 + ((keyLength(header) + valueLength(header) + 3) >>> 2);
    }

    /** How many words the bits of the entry at {@code at} take. */
    int words(int at) {
      return (int) entries[at + 1] & 0xfffff;
    }

    /** How many traits the value realizes by equality. */
    int equalities(int at) {
      return (int) (entries[at + 1] >>> 40);
    }

    /** How many traits the value realizes by equality, and alone when it is the key's one value. */
    int traits(int at) {
      return equalities(at) + ((int) (entries[at + 1] >>> 20) & 0xfffff);
    }

    /** Where the traits of the entry at {@code at} start. */
    int traitsAt(int at) {
      return bitsAt(at) + words(at);
    }

    /** Forgets every signal, and gives back the memory. */
    void clear() {
      slots = new long[16];
      entries = new long[64];
      used = 0;
      count = 0;
    }
  }

  /**
   * @param rulesByKey the rules of each key that has some
   * @param rulesByIndex the same, by their {@link KeyRules#index}
   */
  EvaluationSession(
      ComparisonTable comparisons,
      int traits,
      Map<String, KeyRules> rulesByKey,
      KeyRules[] rulesByIndex) {
    this.comparisons = comparisons;
    this.rulesByKey = rulesByKey;
    this.rulesByIndex = rulesByIndex;
    traitStamps = new int[traits];
    keyStamps = new int[comparisons.keys()];
    bits = new long[comparisons.keys()][];
    oneValueBits = new long[comparisons.keys()][];
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
   * once seen; with several values, the traits each realizes by equality, and the rules over the
   * key alone judged on the bits of each value OR-ed.
   *
   * @return the key's rules; null when no rule reads the key
   */
  KeyRules hold(String key, List<String> values, Set<Long> realized, Long targetDataSourceId) {
    if (values.size() == 1) {
      SignalMemo memo = memoOf(key, values.get(0));
      int at = entryOf(memo, key, values.get(0));
      if (at < 0) {
        return null;
      }
      KeyRules rules = rulesByIndex[memo.rulesIndex(at)];
      if (rules.number >= 0) {
        long[] one = oneValueBits[rules.number];
        if (one == null) {
          one = oneValueBits[rules.number] = new long[memo.words(at)];
        }
        System.arraycopy(memo.entries, memo.bitsAt(at), one, 0, one.length);
        keyStamps[rules.number] = event;
        bits[rules.number] = one;
      }
      if (realized != null) {
        addTraits(memo, at, memo.traits(at), realized, targetDataSourceId);
      }
      return rules;
    }
    KeyRules rules = rulesByKey.get(key);
    if (rules == null) {
      return null;
    }
    long[] any = rules.number >= 0 ? new long[comparisons.words(rules.number)] : NO_BITS;
    for (String value : values) {
      SignalMemo memo = memoOf(key, value);
      int at = entryOf(memo, key, value);
      int bitsAt = memo.bitsAt(at);
      for (int word = 0; word < any.length; word++) {
        any[word] |= memo.entries[bitsAt + word];
      }
      if (realized != null) {
        addTraits(memo, at, memo.equalities(at), realized, targetDataSourceId);
      }
    }
    if (rules.number >= 0) {
      keyStamps[rules.number] = event;
      bits[rules.number] = any;
    }
    if (realized != null) {
      for (TraitIndex.CompiledTrait trait : rules.alone) {
        if ((targetDataSourceId == null || trait.dataSourceId() == targetDataSourceId)
            && trait.bits().matches(this)) {
          realized.add(trait.id());
        }
      }
    }
    return rules;
  }

  /** Adds the first {@code count} traits of the entry at {@code at}, of the target data source. */
  private static void addTraits(
      SignalMemo memo, int at, int count, Set<Long> realized, Long targetDataSourceId) {
    int traitsAt = memo.traitsAt(at);
    for (int trait = 0; trait < count; trait++) {
      if (targetDataSourceId == null
          || memo.entries[traitsAt + 2 * trait + 1] == targetDataSourceId) {
        realized.add(memo.entries[traitsAt + 2 * trait]);
      }
    }
  }

  /** The memo that holds, or will hold, the signal's entry: the thread's, or one for long ones. */
  private SignalMemo memoOf(String key, String value) {
    return key.length() > LONGEST_REMEMBERED_VALUE || value.length() > LONGEST_REMEMBERED_VALUE
        ? unremembered
        : memo;
  }

  /**
   * Where the signal's entry starts in {@code memo}, judged first if it has none; -1 when no rule
   * reads the key (nothing is remembered of such keys, whose values may be anything).
   */
  private int entryOf(SignalMemo memo, String key, String value) {
    int hash = key.hashCode() * 0x9E3779B1 + value.hashCode();
    if (memo == unremembered) {
      unremembered.clear();
    } else {
      int at = memo.find(key, value, hash);
      if (at >= 0) {
        return at;
      }
    }
    KeyRules rules = rulesByKey.get(key);
    if (rules == null) {
      return -1;
    }
    long[] valueBits = rules.number >= 0 ? comparisons.truths(rules.number, value) : NO_BITS;
    List<TraitIndex.CompiledTrait> equalities =
        rules.equalitiesByValue.getOrDefault(value, List.of());
    List<TraitIndex.CompiledTrait> realizedAlone = new ArrayList<>();
    for (TraitIndex.CompiledTrait trait : rules.alone) {
      if (trait.bits().matches(keyNumber -> valueBits)) {
        realizedAlone.add(trait);
      }
    }
    if (memo != unremembered) {
      // The entry's longs and its slot.
      long bytes =
          8L
                  * (2
                      + (key.length() + value.length() + 3) / 4
                      + valueBits.length
                      + 2 * (equalities.size() + realizedAlone.size()))
              + 16;
      if (++rememberedValues > MOST_REMEMBERED_VALUES
          || rememberedBytes + bytes > MOST_REMEMBERED_BYTES) {
        memo.clear();
        rememberedValues = 1;
        rememberedBytes = 0;
      }
      rememberedBytes += bytes;
    }
    return memo.add(key, value, hash, rules, valueBits, equalities, realizedAlone);
  }

  /** About how many bytes the remembered signals hold. */
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
