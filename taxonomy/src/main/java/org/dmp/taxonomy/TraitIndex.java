package org.dmp.taxonomy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.dmp.avro.Trait;
import org.dmp.avro.TraitType;
import org.dmp.taxonomy.rules.BitRule;
import org.dmp.taxonomy.rules.ComparisonTable;
import org.dmp.taxonomy.rules.TraitRule;

/**
 * A taxonomy's traits, their rules compiled and indexed by the signal keys they read, so that
 * evaluating an event costs what that event's keys and the rules that read them cost, not what the
 * whole taxonomy holds. Immutable; each thread evaluates in a session of its own.
 */
public final class TraitIndex {
  /** No trait has this id (the taxonomy's ids are positive): an empty slot. */
  private static final long NO_TRAIT = Long.MIN_VALUE;

  private final Map<String, KeyRules> rulesByKey = new HashMap<>();
  private final ComparisonTable comparisons = new ComparisonTable();
  private final List<CompiledTrait> traitsWithoutKeys = new ArrayList<>();
  private final Map<Long, Duration> ttls = new HashMap<>();

  /**
   * The TTLs in ms of the traits that have one, looked up per realization: open addressing, each
   * trait id followed by its TTL, so that a lookup reads one line of memory.
   */
  private final long[] ttlMillisByTrait;

  private final int ttlSlotMask;
  private final Map<Long, Long> dataSources = new HashMap<>();
  private final ThreadLocal<EvaluationSession> sessions;

  /**
   * A rule trait: its id, data source and rule, its place among the taxonomy's rule traits, and
   * unless it is one text equality, the rule over the taxonomy's comparison bits.
   */
  record CompiledTrait(long id, long dataSourceId, TraitRule rule, int index, BitRule bits) {}

  TraitIndex(List<Trait> traits) {
    int ruleTraits = 0;
    for (Trait trait : traits) {
      Duration ttl = trait.getTtlDays() == 0 ? null : Duration.ofDays(trait.getTtlDays());
      ttls.put(trait.getId(), ttl);
      dataSources.put(trait.getId(), trait.getDataSourceId());
      if (trait.getType() == TraitType.RULE && trait.getRule() != null) {
        TraitRule rule = TraitRule.parse(trait.getRule());
        var equality = rule.simpleEquality();
        CompiledTrait compiled =
            new CompiledTrait(
                trait.getId(),
                trait.getDataSourceId(),
                rule,
                ruleTraits++,
                equality.isPresent() ? null : comparisons.add(rule));
        if (rule.matchesWithoutKeys()) {
          traitsWithoutKeys.add(compiled);
        }
        if (equality.isPresent()) {
          rulesOf(equality.get().getKey())
              .equalitiesByValue
              .computeIfAbsent(equality.get().getValue(), v -> new ArrayList<>())
              .add(compiled);
        } else {
          rule.keys()
              .forEach(
                  key -> {
                    KeyRules rules = rulesOf(key);
                    rules.number = comparisons.keyNumber(key);
                    if (rule.keys().size() == 1) {
                      rules.alone.add(compiled);
                    } else if (compiled.bits().triggers() == null) {
                      rules.amongOthers.add(compiled);
                    }
                  });
          if (rule.keys().size() > 1 && compiled.bits().triggers() != null) {
            for (BitRule.Bit bit : compiled.bits().triggers()) {
              rulesOf(comparisons.keyName(bit.keyNumber())).triggeredBy(bit.index(), compiled);
            }
          }
        }
      }
    }
    KeyRules[] rulesByIndex = new KeyRules[rulesByKey.size()];
    for (KeyRules rules : rulesByKey.values()) {
      rules.seal();
      rulesByIndex[rules.index] = rules;
    }
    // Between a quarter and half full.
    int slots = Integer.highestOneBit(Math.max(1, ttls.size())) * 4;
    ttlSlotMask = slots - 1;
    ttlMillisByTrait = new long[2 * slots];
    Arrays.fill(ttlMillisByTrait, NO_TRAIT);
    ttls.forEach(
        (trait, ttl) -> {
          if (ttl != null) {
            int slot = ttlSlot(trait);
            ttlMillisByTrait[slot] = trait;
            ttlMillisByTrait[slot + 1] = ttl.toMillis();
          }
        });
    int traitCount = ruleTraits;
    sessions =
        ThreadLocal.withInitial(
            () -> new EvaluationSession(comparisons, traitCount, rulesByKey, rulesByIndex));
  }

  /** About how many bytes this thread's memo of rule values holds. */
  long rememberedBytes() {
    return sessions.get().rememberedBytes();
  }

  private KeyRules rulesOf(String key) {
    return rulesByKey.computeIfAbsent(key, k -> new KeyRules(rulesByKey.size()));
  }

  /**
   * The rule traits an event's signals realize, in a new set of the caller's, ascending.
   *
   * @param targetDataSourceId when not null, only that data source's traits are evaluated (d_tdpid)
   */
  public Set<Long> realize(Map<String, List<String>> signals, Long targetDataSourceId) {
    Set<Long> realized = realizeByKeys(signals, null, targetDataSourceId);
    for (CompiledTrait trait : traitsWithoutKeys) {
      if (!signalsHoldAny(signals, trait)
          && (targetDataSourceId == null || trait.dataSourceId() == targetDataSourceId)
          && trait.rule().matches(signals)) {
        realized.add(trait.id());
      }
    }
    return realized;
  }

  /**
   * The rule traits that read private ({@code p_}) signals and that this hit realizes: evaluated at
   * the edge, the only place p_ values exist, over the hit's other signals too.
   */
  public Set<Long> realizePrivate(
      Map<String, List<String>> signals,
      Map<String, List<String>> privateSignals,
      Long targetDataSourceId) {
    if (privateSignals.isEmpty()) {
      return Set.of();
    }
    Map<String, List<String>> all = new HashMap<>(signals);
    all.putAll(privateSignals);
    return realizeByKeys(all, privateSignals.keySet(), targetDataSourceId);
  }

  /**
   * The traits reached through the keys of {@code signals} in {@code reachedKeys} (null: all of
   * them) that {@code signals} realize: equalities by lookup, other rules evaluated once each.
   */
  private Set<Long> realizeByKeys(
      Map<String, List<String>> signals, Set<String> reachedKeys, Long targetDataSourceId) {
    EvaluationSession session = sessions.get();
    session.nextEvent();
    Set<Long> realized = new TreeSet<>();
    for (Map.Entry<String, List<String>> signal : signals.entrySet()) {
      boolean reached = reachedKeys == null || reachedKeys.contains(signal.getKey());
      KeyRules rules =
          session.hold(
              signal.getKey(), signal.getValue(), reached ? realized : null, targetDataSourceId);
      if (rules == null) {
        continue;
      }
      if (rules.number >= 0) {
        session.heldRules.add(rules);
      }
      if (reached && !rules.amongOthers.isEmpty()) {
        session.reachedRules.add(rules);
      }
    }
    // Rules over several keys only once every key's bits are held.
    for (KeyRules rules : session.reachedRules) {
      for (CompiledTrait trait : rules.amongOthers) {
        judge(trait, session, realized, targetDataSourceId);
      }
    }
    for (KeyRules rules : session.heldRules) {
      long[] bits = session.of(rules.number);
      for (int word = 0; word < bits.length; word++) {
        for (long set = bits[word]; set != 0; set &= set - 1) {
          for (CompiledTrait trait :
              rules.triggeredBy(word << 6 | Long.numberOfTrailingZeros(set))) {
            if (reachedKeys == null || reaches(trait, reachedKeys)) {
              judge(trait, session, realized, targetDataSourceId);
            }
          }
        }
      }
    }
    return realized;
  }

  /** Adds the trait if it holds, judging it at most once per event. */
  private static void judge(
      CompiledTrait trait, EvaluationSession session, Set<Long> realized, Long targetDataSourceId) {
    if ((targetDataSourceId == null || trait.dataSourceId() == targetDataSourceId)
        && session.firstEvaluation(trait)
        && trait.bits().matches(session)) {
      realized.add(trait.id());
    }
  }

  private static boolean reaches(CompiledTrait trait, Set<String> reachedKeys) {
    return trait.rule().keys().stream().anyMatch(reachedKeys::contains);
  }

  /**
   * Whether the event holds one of the trait's keys, in which case the loop over keys has judged it
   * already.
   */
  private static boolean signalsHoldAny(Map<String, List<String>> signals, CompiledTrait trait) {
    return trait.rule().keys().stream().anyMatch(signals::containsKey);
  }

  /** Whether the taxonomy has this trait. */
  public boolean knows(long traitId) {
    return ttls.containsKey(traitId);
  }

  /** Whether the taxonomy has this trait and it belongs to that data source. */
  public boolean belongsTo(long traitId, long dataSourceId) {
    Long owner = dataSources.get(traitId);
    return owner != null && owner == dataSourceId;
  }

  /**
   * How long a realization of the trait counts; null means forever (also for traits the taxonomy
   * does not know).
   */
  public Duration ttl(long traitId) {
    return ttls.get(traitId);
  }

  /**
   * {@link #ttl(long)} in milliseconds, {@link Long#MAX_VALUE} for forever: for the loops over a
   * profile's realizations.
   */
  public long ttlMillis(long traitId) {
    int slot = ttlSlot(traitId);
    return ttlMillisByTrait[slot] == traitId && traitId != NO_TRAIT
        ? ttlMillisByTrait[slot + 1]
        : Long.MAX_VALUE;
  }

  /** Where the trait is, or would be, in {@link #ttlMillisByTrait}. */
  private int ttlSlot(long traitId) {
    int slot = (int) ((traitId * 0x9E3779B97F4A7C15L) >>> 32) & ttlSlotMask;
    while (ttlMillisByTrait[2 * slot] != NO_TRAIT && ttlMillisByTrait[2 * slot] != traitId) {
      slot = (slot + 1) & ttlSlotMask;
    }
    return 2 * slot;
  }
}
