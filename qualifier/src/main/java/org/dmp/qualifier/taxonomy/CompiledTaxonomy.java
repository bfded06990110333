package org.dmp.qualifier.taxonomy;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
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

  private final Map<String, List<CompiledTrait>> traitsByKey = new HashMap<>();
  /** Traits whose rule is one text equality, by key, then value. */
  private final Map<String, Map<String, List<CompiledTrait>>> traitsByKeyAndValue = new HashMap<>();
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

  /** A rule trait: its id, data source and rule, and its place among the taxonomy's rule traits. */
  public record CompiledTrait(long id, long dataSourceId, TraitRule rule, int index, boolean singleKey) {}

  /**
   * Which rules over several keys one event has had evaluated already, per stream thread: such a
   * rule is found once per key it reads. An array stamped with the event's number costs far less
   * than a set of the rules seen, which thousands of rules made a large part of an event's cost.
   */
  private static final class Evaluated {
    private final int[] stamps;
    private int event;

    Evaluated(int traits) {
      stamps = new int[traits];
    }

    void nextEvent() {
      if (++event == 0) {
        java.util.Arrays.fill(stamps, 0);
        event = 1;
      }
    }

    /** True the first time in this event. */
    boolean first(CompiledTrait trait) {
      if (stamps[trait.index()] == event) {
        return false;
      }
      stamps[trait.index()] = event;
      return true;
    }
  }

  private final ThreadLocal<Evaluated> evaluated;

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
        CompiledTrait compiled = new CompiledTrait(trait.getId(), trait.getDataSourceId(), rule, ruleTraits++, rule.keys().size() == 1);
        if (compiled.rule().matchesWithoutKeys()) {
          traitsWithoutKeys.add(compiled);
        }
        var equality = compiled.rule().simpleEquality();
        if (equality.isPresent()) {
          traitsByKeyAndValue.computeIfAbsent(equality.get().getKey(), k -> new HashMap<>())
              .computeIfAbsent(equality.get().getValue(), v -> new ArrayList<>()).add(compiled);
        } else {
          compiled.rule().keys().forEach(key -> traitsByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(compiled));
        }
      }
    }
    int traitCount = ruleTraits;
    evaluated = ThreadLocal.withInitial(() -> new Evaluated(traitCount));
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

  /**
   * The rule traits an event's signals realize.
   *
   * @param dataSourceId when not null, only that data source's traits are evaluated (d_tdpid)
   */
  public Set<Long> realize(Map<String, List<String>> signals, Long dataSourceId) {
    Set<Long> realized = realizeByKeys(signals, signals.keySet(), dataSourceId);
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

  /** The traits reached through {@code keys} that {@code signals} realize: equalities by lookup, other rules evaluated once each. */
  private Set<Long> realizeByKeys(Map<String, List<String>> signals, Set<String> keys, Long dataSourceId) {
    Set<Long> realized = new TreeSet<>();
    for (String key : keys) {
      Map<String, List<CompiledTrait>> byValue = traitsByKeyAndValue.get(key);
      if (byValue != null) {
        for (String value : signals.getOrDefault(key, List.of())) {
          for (CompiledTrait trait : byValue.getOrDefault(value, List.of())) {
            if (dataSourceId == null || trait.dataSourceId() == dataSourceId) {
              realized.add(trait.id());
            }
          }
        }
      }
    }
    Evaluated seen = evaluated.get();
    seen.nextEvent();
    for (String key : keys) {
      List<CompiledTrait> traits = traitsByKey.get(key);
      if (traits == null) {
        continue;
      }
      List<String> values = signals.getOrDefault(key, List.of());
      for (CompiledTrait trait : traits) {
        if (dataSourceId != null && trait.dataSourceId() != dataSourceId) {
          continue;
        }
        boolean matches = trait.singleKey() ? trait.rule().matchesValues(values)
            : seen.first(trait) && trait.rule().matches(signals);
        if (matches) {
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
