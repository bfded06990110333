package org.dmp.taxonomy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

  /** Per key, the bits of its one value in this event, reused from event to event. */
  private final long[][] oneValueBits;

  private final KeyMemo[] memos;

  /** Where a value too long to remember is judged, each time. */
  private final KeyMemo unremembered = new KeyMemo();

  private int rememberedValues;
  private long rememberedBytes;

  /** The keys of this event whose rules it reaches. */
  final List<KeyRules> reachedRules = new ArrayList<>();

  /** The keys of this event whose comparisons' bits it holds. */
  final List<KeyRules> heldRules = new ArrayList<>();

  private int event;

  /**
   * One key's remembered values, laid out so that finding one reads two or three lines of memory
   * rather than the half a dozen objects of a map entry (with 100,000 values remembered, each read
   * is a wait on main memory). Each entry is a run of longs in one array: the value's length and
   * how many traits it realizes alone, its chars four to a long, the bits of the key's comparisons,
   * then each trait realized alone as its id and its data source's. A table of open addresses holds
   * each entry's hash and where it starts.
   */
  private static final class KeyMemo {
    private long[] slots = new long[16];
    private long[] entries = new long[64];
    private int used;
    private int count;

    /** Where {@code value}'s entry starts, or -1. */
    int find(String value, int hash) {
      int mask = slots.length - 1;
      for (int slot = spread(hash) & mask; ; slot = (slot + 1) & mask) {
        long held = slots[slot];
        if (held == 0) {
          return -1;
        }
        if ((int) (held >>> 32) == hash && holds((int) held - 1, value)) {
          return (int) held - 1;
        }
      }
    }

    private boolean holds(int at, String value) {
      int length = value.length();
      if ((int) (entries[at] >>> 32) != length) {
        return false;
      }
      for (int index = 0; index < length; index++) {
        if ((char) (entries[at + 1 + (index >>> 2)] >>> ((index & 3) << 4))
            != value.charAt(index)) {
          return false;
        }
      }
      return true;
    }

    /** Adds an entry for {@code value}; where it starts. */
    int add(String value, int hash, long[] valueBits, List<TraitIndex.CompiledTrait> alone) {
      int length = value.length();
      int charLongs = (length + 3) >>> 2;
      int size = 1 + charLongs + valueBits.length + 2 * alone.size();
      if (used + size > entries.length) {
        entries = Arrays.copyOf(entries, Math.max(entries.length * 2, used + size));
      }
      int at = used;
      entries[at] = (long) length << 32 | alone.size();
      Arrays.fill(entries, at + 1, at + 1 + charLongs, 0);
      for (int index = 0; index < length; index++) {
        entries[at + 1 + (index >>> 2)] |= (long) value.charAt(index) << ((index & 3) << 4);
      }
      System.arraycopy(valueBits, 0, entries, at + 1 + charLongs, valueBits.length);
      int traitsAt = at + 1 + charLongs + valueBits.length;
      for (TraitIndex.CompiledTrait trait : alone) {
        entries[traitsAt++] = trait.id();
        entries[traitsAt++] = trait.dataSourceId();
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

    /** Where the bits of the entry at {@code at} start. */
    int bitsAt(int at) {
      return at + 1 + (((int) (entries[at] >>> 32) + 3) >>> 2);
    }

    /** Forgets every value, and gives back the memory. */
    void clear() {
      slots = new long[16];
      entries = new long[64];
      used = 0;
      count = 0;
    }
  }

  EvaluationSession(ComparisonTable comparisons, int traits) {
    this.comparisons = comparisons;
    traitStamps = new int[traits];
    keyStamps = new int[comparisons.keys()];
    bits = new long[comparisons.keys()][];
    oneValueBits = new long[comparisons.keys()][];
    memos = new KeyMemo[comparisons.keys()];
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
      KeyMemo memo = memoOf(rules, values.get(0));
      int at = entryOf(memo, rules, values.get(0));
      long[] one = oneValueBits[key];
      if (one == null) {
        one = oneValueBits[key] = new long[comparisons.words(key)];
      }
      System.arraycopy(memo.entries, memo.bitsAt(at), one, 0, one.length);
      bits[key] = one;
      if (realized != null) {
        int traitsAt = memo.bitsAt(at) + one.length;
        int alone = (int) memo.entries[at];
        for (int trait = 0; trait < alone; trait++) {
          long id = memo.entries[traitsAt + 2 * trait];
          if (targetDataSourceId == null
              || memo.entries[traitsAt + 2 * trait + 1] == targetDataSourceId) {
            realized.add(id);
          }
        }
      }
      return;
    }
    long[] any = new long[comparisons.words(key)];
    for (String value : values) {
      KeyMemo memo = memoOf(rules, value);
      int bitsAt = memo.bitsAt(entryOf(memo, rules, value));
      for (int word = 0; word < any.length; word++) {
        any[word] |= memo.entries[bitsAt + word];
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

  /** The memo that holds, or will hold, the value's entry: the key's, or one for long values. */
  private KeyMemo memoOf(KeyRules rules, String value) {
    if (value.length() > LONGEST_REMEMBERED_VALUE) {
      return unremembered;
    }
    KeyMemo memo = memos[rules.number];
    return memo != null ? memo : (memos[rules.number] = new KeyMemo());
  }

  /** Where the value's entry starts in {@code memo}, judged first if it has none. */
  private int entryOf(KeyMemo memo, KeyRules rules, String value) {
    int hash = value.hashCode();
    if (memo == unremembered) {
      unremembered.clear();
    } else {
      int at = memo.find(value, hash);
      if (at >= 0) {
        return at;
      }
    }
    long[] valueBits = comparisons.truths(rules.number, value);
    List<TraitIndex.CompiledTrait> realizedAlone = new ArrayList<>();
    for (TraitIndex.CompiledTrait trait : rules.alone) {
      if (trait.bits().matches(key -> valueBits)) {
        realizedAlone.add(trait);
      }
    }
    if (memo != unremembered) {
      // The entry's longs and its slot.
      long bytes =
          8L * (1 + (value.length() + 3) / 4 + valueBits.length + 2 * realizedAlone.size()) + 16;
      if (++rememberedValues > MOST_REMEMBERED_VALUES
          || rememberedBytes + bytes > MOST_REMEMBERED_BYTES) {
        for (KeyMemo each : memos) {
          if (each != null) {
            each.clear();
          }
        }
        rememberedValues = 1;
        rememberedBytes = 0;
      }
      rememberedBytes += bytes;
    }
    return memo.add(value, hash, valueBits, realizedAlone);
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
