package org.dmp.qualifier.taxonomy;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.dmp.avro.CookieTarget;
import org.dmp.avro.DataSource;
import org.dmp.avro.Destination;
import org.dmp.avro.DestinationType;
import org.dmp.avro.Segment;
import org.dmp.avro.Trait;
import org.dmp.avro.TraitType;
import org.dmp.qualifier.rules.BitRule;
import org.dmp.qualifier.rules.ComparisonTable;
import org.dmp.qualifier.rules.SegmentRule;
import org.dmp.qualifier.rules.TraitRule;

/**
 * A taxonomy with every rule compiled and indexed, so that qualifying an event costs what that
 * event's keys and the rules that read them cost, not what the whole taxonomy holds: trait rules
 * are found by the signal keys they read, segments by the traits they count. Immutable, so one
 * instance serves every stream thread until the next revision replaces it.
 */
public final class CompiledTaxonomy {
  public static final CompiledTaxonomy EMPTY = new CompiledTaxonomy(new Taxonomy(List.of(), List.of(), List.of(), List.of()));

  /** What each signal key leads to, for the keys that rules read. */
  private final Map<String, KeyRules> rulesByKey = new HashMap<>();
  private final ComparisonTable comparisons = new ComparisonTable();
  private final List<CompiledTrait> traitsWithoutKeys = new ArrayList<>();
  private final Map<Long, Duration> ttls = new HashMap<>();
  private final Map<String, Duration> ttlsByText = new HashMap<>();
  private final Map<Long, List<CompiledSegment>> segmentsByTrait = new HashMap<>();
  private final Map<Long, CompiledSegment> segments = new HashMap<>();
  private final Map<Long, URI> providers = new HashMap<>();
  private final Map<Long, List<CookieDestination>> cookiesBySegment = new HashMap<>();
  private final Map<Long, List<UrlDestination>> urlsBySegment = new HashMap<>();
  private final List<Destination> destinations;
  private final long revision;

  /** A cookie destination's key-value for one segment: what the edge's answer sets as {@code stuff}. */
  public record CookieDestination(long destinationId, String cookieName, String value, int ttlDays, String domain) {}

  /** A URL destination's pixel for one segment, macros not yet expanded. */
  public record UrlDestination(long destinationId, String url) {}

  /**
   * A rule trait: its id, data source and rule, its place among the taxonomy's rule traits, and
   * unless it is one text equality, the rule over the taxonomy's comparison bits.
   */
  public record CompiledTrait(long id, long dataSourceId, TraitRule rule, int index, BitRule bits) {}

  /**
   * The rule traits a signal key leads to: those that are one text equality over it, by value, the
   * commonest kind, found by lookup; those that read it alone; and those that read it among other
   * keys. The last two are judged by the bits of the key's comparisons ({@code number} in the
   * comparison table, or -1 if only equalities read the key).
   */
  private static final class KeyRules {
    private final Map<String, List<CompiledTrait>> equalitiesByValue = new HashMap<>();
    private final List<CompiledTrait> alone = new ArrayList<>();
    private final List<CompiledTrait> amongOthers = new ArrayList<>();
    private int number = -1;
  }

  /** What one value of a key gives: the bits of the key's comparisons, and the traits over that key alone it realizes. */
  private record ValueOutcome(long[] bits, List<CompiledTrait> realizedAlone) {}

  /**
   * Per stream thread: what each value met so far gave (bounded: emptied when full, so that values
   * seen once, such as URLs, cannot grow it), and one event's working state: the bits of its keys,
   * and which rules over several keys it has had judged already (such a rule is found once per key
   * it reads). Arrays stamped with the event's number cost far less than per-event sets and maps,
   * which with thousands of rules made a large part of an event's cost.
   */
  private final class EventScratch implements BitRule.Truths {
    private static final int MOST_REMEMBERED_VALUES = 1 << 17;

    private final int[] traitStamps;
    private final int[] keyStamps;
    private final long[][] bits;
    private final Map<String, ValueOutcome>[] outcomes;
    private int rememberedValues;
    private final List<KeyRules> reachedRules = new ArrayList<>();
    private int event;

    @SuppressWarnings("unchecked")
    EventScratch(int traits, int keys) {
      traitStamps = new int[traits];
      keyStamps = new int[keys];
      bits = new long[keys][];
      outcomes = new Map[keys];
    }

    void nextEvent() {
      reachedRules.clear();
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
    void hold(KeyRules rules, List<String> values, Set<Long> realized, Long dataSourceId) {
      int key = rules.number;
      keyStamps[key] = event;
      if (values.size() == 1) {
        ValueOutcome outcome = outcomeOf(rules, values.get(0));
        bits[key] = outcome.bits();
        if (realized != null) {
          addAll(outcome.realizedAlone(), realized, dataSourceId);
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
        for (CompiledTrait trait : rules.alone) {
          if ((dataSourceId == null || trait.dataSourceId() == dataSourceId) && trait.bits().matches(this)) {
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
        List<CompiledTrait> realizedAlone = new ArrayList<>();
        for (CompiledTrait trait : rules.alone) {
          if (trait.bits().matches(key -> valueBits)) {
            realizedAlone.add(trait);
          }
        }
        outcome = new ValueOutcome(valueBits, realizedAlone.isEmpty() ? List.of() : List.copyOf(realizedAlone));
        if (++rememberedValues > MOST_REMEMBERED_VALUES) {
          Arrays.fill(outcomes, null);
          rememberedValues = 1;
          known = outcomes[rules.number] = new HashMap<>();
        }
        known.put(value, outcome);
      }
      return outcome;
    }

    @Override
    public long[] of(int keyNumber) {
      return keyStamps[keyNumber] == event ? bits[keyNumber] : null;
    }

    /** True the first time in this event. */
    boolean firstEvaluation(CompiledTrait trait) {
      if (traitStamps[trait.index()] == event) {
        return false;
      }
      traitStamps[trait.index()] = event;
      return true;
    }
  }

  private static void addAll(List<CompiledTrait> traits, Set<Long> realized, Long dataSourceId) {
    for (CompiledTrait trait : traits) {
      if (dataSourceId == null || trait.dataSourceId() == dataSourceId) {
        realized.add(trait.id());
      }
    }
  }

  private final ThreadLocal<EventScratch> scratch;

  /** A segment and its rule. */
  public record CompiledSegment(long id, SegmentRule rule) {}

  public CompiledTaxonomy(Taxonomy taxonomy) {
    this(taxonomy, 0);
  }

  /** @param revision the revision it was published as; profiles remember it to know when to re-evaluate every segment */
  public CompiledTaxonomy(Taxonomy taxonomy, long revision) {
    this.revision = revision;
    destinations = taxonomy.destinations();
    for (DataSource dataSource : taxonomy.dataSources()) {
      if (dataSource.getProvider() != null) {
        providers.put(dataSource.getId(), URI.create(dataSource.getProvider().getUrl()));
      }
    }
    int ruleTraits = 0;
    for (Trait trait : taxonomy.traits()) {
      ttls.put(trait.getId(), trait.getTtlDays() == 0 ? null : Duration.ofDays(trait.getTtlDays()));
      ttlsByText.put(Long.toString(trait.getId()), trait.getTtlDays() == 0 ? null : Duration.ofDays(trait.getTtlDays()));
      if (trait.getType() == TraitType.RULE && trait.getRule() != null) {
        TraitRule rule = TraitRule.parse(trait.getRule());
        var equality = rule.simpleEquality();
        CompiledTrait compiled = new CompiledTrait(trait.getId(), trait.getDataSourceId(), rule, ruleTraits++,
            equality.isPresent() ? null : comparisons.add(rule));
        if (rule.matchesWithoutKeys()) {
          traitsWithoutKeys.add(compiled);
        }
        if (equality.isPresent()) {
          rulesOf(equality.get().getKey()).equalitiesByValue.computeIfAbsent(equality.get().getValue(), v -> new ArrayList<>())
              .add(compiled);
        } else {
          rule.keys().forEach(key -> {
            KeyRules rules = rulesOf(key);
            (rule.keys().size() > 1 ? rules.amongOthers : rules.alone).add(compiled);
            rules.number = comparisons.keyNumber(key);
          });
        }
      }
    }
    int traitCount = ruleTraits;
    int keyCount = comparisons.keys();
    scratch = ThreadLocal.withInitial(() -> new EventScratch(traitCount, keyCount));
    for (Destination destination : taxonomy.destinations()) {
      destination.getMappings().forEach((segment, value) -> {
        long segmentId = Long.parseLong(segment);
        if (destination.getType() == DestinationType.COOKIE && destination.getCookie() != null) {
          CookieTarget cookie = destination.getCookie();
          cookiesBySegment.computeIfAbsent(segmentId, id -> new ArrayList<>()).add(new CookieDestination(destination.getId(),
              cookie.getCookieName(), value, cookie.getTtlDays(), cookie.getDomain() == null ? "" : cookie.getDomain()));
        } else if (destination.getType() == DestinationType.URL) {
          urlsBySegment.computeIfAbsent(segmentId, id -> new ArrayList<>()).add(new UrlDestination(destination.getId(), value));
        }
      });
    }
    for (Segment segment : taxonomy.segments()) {
      CompiledSegment compiled = new CompiledSegment(segment.getId(), SegmentRule.parse(segment.getRule()));
      segments.put(segment.getId(), compiled);
      compiled.rule().traits().forEach(trait -> segmentsByTrait.computeIfAbsent(trait, t -> new ArrayList<>()).add(compiled));
    }
  }

  private KeyRules rulesOf(String key) {
    return rulesByKey.computeIfAbsent(key, k -> new KeyRules());
  }

  /**
   * The rule traits an event's signals realize.
   *
   * @param dataSourceId when not null, only that data source's traits are evaluated (d_tdpid)
   */
  public Set<Long> realize(Map<String, List<String>> signals, Long dataSourceId) {
    Set<Long> realized = realizeByKeys(signals, null, dataSourceId);
    for (CompiledTrait trait : traitsWithoutKeys) {
      if (!signalsHoldAny(signals, trait) && (dataSourceId == null || trait.dataSourceId() == dataSourceId)
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
  public Set<Long> realizePrivate(Map<String, List<String>> signals, Map<String, List<String>> privateSignals, Long dataSourceId) {
    if (privateSignals.isEmpty()) {
      return Set.of();
    }
    Map<String, List<String>> all = new HashMap<>(signals);
    all.putAll(privateSignals);
    return realizeByKeys(all, privateSignals.keySet(), dataSourceId);
  }

  /**
   * The traits reached through the keys of {@code signals} in {@code reachedKeys} (null: all of them)
   * that {@code signals} realize: equalities by lookup, other rules evaluated once each.
   */
  private Set<Long> realizeByKeys(Map<String, List<String>> signals, Set<String> reachedKeys, Long dataSourceId) {
    EventScratch event = scratch.get();
    event.nextEvent();
    Set<Long> realized = new TreeSet<>();
    for (Map.Entry<String, List<String>> signal : signals.entrySet()) {
      KeyRules rules = rulesByKey.get(signal.getKey());
      if (rules == null) {
        continue;
      }
      boolean reached = reachedKeys == null || reachedKeys.contains(signal.getKey());
      if (rules.number >= 0) {
        event.hold(rules, signal.getValue(), reached ? realized : null, dataSourceId);
      }
      if (reached) {
        event.reachedRules.add(rules);
        if (!rules.equalitiesByValue.isEmpty()) {
          for (String value : signal.getValue()) {
            addAll(rules.equalitiesByValue.getOrDefault(value, List.of()), realized, dataSourceId);
          }
        }
      }
    }
    // Rules over several keys only once every key's bits are held.
    for (KeyRules rules : event.reachedRules) {
      for (CompiledTrait trait : rules.amongOthers) {
        if ((dataSourceId == null || trait.dataSourceId() == dataSourceId) && event.firstEvaluation(trait)
            && trait.bits().matches(event)) {
          realized.add(trait.id());
        }
      }
    }
    return realized;
  }

  public List<CookieDestination> cookieDestinations(long segmentId) {
    return cookiesBySegment.getOrDefault(segmentId, List.of());
  }

  public long revision() {
    return revision;
  }

  /** Every destination of the given type, as declared. */
  public List<Destination> destinations(DestinationType type) {
    return destinations.stream().filter(destination -> destination.getType() == type).toList();
  }

  public List<UrlDestination> urlDestinations(long segmentId) {
    return urlsBySegment.getOrDefault(segmentId, List.of());
  }

  /** The real-time provider endpoint a data source declares, if any. */
  public Optional<URI> provider(long dataSourceId) {
    return Optional.ofNullable(providers.get(dataSourceId));
  }

  /** Whether the event holds one of the trait's keys, in which case the loop over keys has judged it already. */
  private static boolean signalsHoldAny(Map<String, List<String>> signals, CompiledTrait trait) {
    return trait.rule().keys().stream().anyMatch(signals::containsKey);
  }

  /** The segments whose rules count any of these traits. */
  public Set<CompiledSegment> segmentsOf(Set<Long> traits) {
    Set<CompiledSegment> found = new HashSet<>();
    traits.forEach(trait -> found.addAll(segmentsByTrait.getOrDefault(trait, List.of())));
    return found;
  }

  public CompiledSegment segment(long id) {
    return segments.get(id);
  }


  /** How long a realization of the trait counts; null means forever (also for traits the taxonomy does not know). */
  public Duration ttl(long traitId) {
    return ttls.get(traitId);
  }

  /** The TTL of a trait given by its id as text, as profiles key their realizations; null for forever or unknown. */
  public Duration ttl(String traitId) {
    return ttlsByText.get(traitId);
  }
}
