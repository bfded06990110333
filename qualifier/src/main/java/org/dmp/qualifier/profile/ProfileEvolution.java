package org.dmp.qualifier.profile;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.dmp.avro.EventSource;
import org.dmp.avro.IdMapping;
import org.dmp.avro.PartnerId;
import org.dmp.avro.Profile;
import org.dmp.avro.ProfileUpdate;
import org.dmp.avro.ReplayCorrection;
import org.dmp.avro.VisitEvent;
import org.dmp.schemas.PartnerUserId;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.SegmentIndex;
import org.dmp.taxonomy.SegmentIndex.CompiledSegment;
import org.dmp.taxonomy.Signals;
import org.dmp.taxonomy.rules.Realizations;

/**
 * How a visitor's profile changes with an event or with time alone: the qualification itself, free
 * of Kafka Streams so that it is tested directly. Every time is event time.
 *
 * <p>Only the segments that count one of the visitor's traits, and those they are in, are
 * evaluated, so the cost follows the visitor's traits, not the taxonomy's size.
 */
public final class ProfileEvolution {
  /** How many of the regions a visitor was seen in a profile keeps. */
  private static final int MAX_REGIONS = 4;

  private final ProfileBounds bounds;
  private final int maxRealizationsPerTrait;

  /**
   * The profile after the change, the update to emit (null: membership and partner ids unchanged),
   * id mappings learnt (or, at an opt-out, to be forgotten).
   *
   * @param traitTimes the profile's realizations, unpacked, which its packed bytes hold only once
   *     {@link #packed} (null: the packed bytes are the realizations)
   */
  public record Outcome(
      Profile profile, TraitTimes traitTimes, ProfileUpdate update, List<IdMapping> mappings) {
    /** This outcome with the realizations packed into the profile. */
    Outcome packed() {
      if (traitTimes != null) {
        traitTimes.writeTo(profile);
      }
      return this;
    }
  }

  public ProfileEvolution(ProfileBounds bounds) {
    this.bounds = bounds;
    this.maxRealizationsPerTrait = bounds.realizationsPerTrait();
  }

  /**
   * @param current the visitor's profile, changed in place (null for a new visitor)
   */
  public Outcome onEvent(Profile current, VisitEvent event, CompiledTaxonomy taxonomy) {
    return onEvent(current, event, event.getTime(), taxonomy);
  }

  /**
   * @param current the visitor's profile, changed in place (null for a new visitor)
   * @param notBefore how far time has already moved on for every profile (the partition's time less
   *     the grace): an event older than that is late, and while its traits are realized at the
   *     event's own time, membership is judged at this time, so that no one joins a segment for a
   *     moment that has already passed.
   */
  public Outcome onEvent(
      Profile current, VisitEvent event, Instant notBefore, CompiledTaxonomy taxonomy) {
    return onEvent(current, unpacked(current), event, notBefore, taxonomy).packed();
  }

  /**
   * {@link #onEvent(Profile, VisitEvent, Instant, CompiledTaxonomy)} over realizations held
   * unpacked, which the outcome returns unpacked too: a processor that holds its profiles between
   * events (a replay's, see {@link ProfileCache}) then neither unpacks nor packs them at each one.
   *
   * @param traitTimes the realizations of {@code current}, changed in place (null: none, or in its
   *     packed bytes)
   */
  Outcome onEvent(
      Profile current,
      TraitTimes traitTimes,
      VisitEvent event,
      Instant notBefore,
      CompiledTaxonomy taxonomy) {
    Objects.requireNonNull(event, "event");
    if (current != null && current.getOptedOut()) {
      return new Outcome(current, traitTimes, null, List.of());
    }
    if (event.getSource() == EventSource.OPT_OUT) {
      return optOut(current, event);
    }
    // Changed in place: the store hands out a fresh copy, and Avro's deep copy of every realization
    // list costs per event.
    Profile profile = current == null ? empty(event.getVisitorId()) : current;
    Instant realizedAt = event.getTime();
    Instant now = presentOf(profile, latest(realizedAt, notBefore));
    TraitTimes times = traitTimes != null ? traitTimes : TraitTimes.of(profile);
    if (event.getCorrection() != null) {
      return correct(profile, times, event.getEventId(), event.getCorrection(), now, taxonomy);
    }
    Set<Long> overwritten =
        event.getOverwrite() == null
            ? Set.of()
            : overwrite(times, event.getOverwrite(), realizedAt.toEpochMilli(), taxonomy);

    Set<Long> realized =
        taxonomy.traits().realize(Signals.of(event), event.getTargetDataSourceId());
    // Traits named directly (d_sid, onboarding, the edge's p_ rules) count only if the taxonomy has
    // them: an id a page makes up would otherwise be kept in the profile for ever.
    event.getRealizedTraits().stream().filter(taxonomy.traits()::knows).forEach(realized::add);
    for (long trait : realized) {
      times.add(trait, realizedAt.toEpochMilli(), maxRealizationsPerTrait);
    }
    event.getRemovedTraits().forEach(times::remove);

    List<IdMapping> mappings = new ArrayList<>();
    boolean partnersChanged = mergePartnerIds(profile, event, mappings, taxonomy);
    bounds.trim(profile, times);
    noteRegion(profile, event.getRegion());
    Set<Long> removedTraits = new HashSet<>(event.getRemovedTraits());
    boolean timeChangedNothing =
        profile.getNextChange() == null || profile.getNextChange() > now.toEpochMilli();
    if (timeChangedNothing && profile.getTaxonomyRevision() == taxonomy.revision()) {
      // Neither time nor the taxonomy has changed anything since the last evaluation: only the
      // segments that count this
      // event's traits can change.
      Set<Long> changed = new HashSet<>(realized);
      changed.addAll(removedTraits);
      changed.addAll(overwritten);
      return requalifyFor(
          profile, times, now, taxonomy, event.getEventId(), partnersChanged, changed, mappings);
    }
    removedTraits.addAll(overwritten);
    return requalify(
        profile,
        times,
        now,
        taxonomy,
        event.getEventId(),
        partnersChanged,
        removedTraits,
        mappings);
  }

  /**
   * What an inbound {@code .overwrite} line does first: the data source's realizations older than
   * the line are dropped, so that the file says all the data source knows of the user; another line
   * of the same file, at the same time, keeps what the first realized.
   *
   * @return the traits that lost realizations
   */
  private static Set<Long> overwrite(
      TraitTimes traitTimes, long dataSourceId, long lineMillis, CompiledTaxonomy taxonomy) {
    Set<Long> overwritten = new HashSet<>();
    traitTimes.retain(
        (trait, time) -> {
          if (time >= lineMillis || !taxonomy.traits().belongsTo(trait, dataSourceId)) {
            return true;
          }
          overwritten.add(trait);
          return false;
        });
    return overwritten;
  }

  /**
   * Applies a replay's correction: within its window, the realizations of its traits become the
   * replay's, those outside it (live events after the replay's end, say) stay, and every segment is
   * judged again at the profile's present. So a visitor who was active while the replay ran keeps
   * what they did since, and applying the same correction again changes nothing.
   */
  private Outcome correct(
      Profile profile,
      TraitTimes traitTimes,
      String causeEventId,
      ReplayCorrection correction,
      Instant now,
      CompiledTaxonomy taxonomy) {
    long from = correction.getFrom().toEpochMilli();
    long to = correction.getTo().toEpochMilli();
    List<Long> ranges = correction.getTraitRanges();
    Set<Long> corrected = new HashSet<>();
    // The visitor's own realizations, not the run's traits: a run may count thousands.
    traitTimes.retain(
        (trait, time) -> {
          if (!within(ranges, trait)) {
            return true;
          }
          corrected.add(trait);
          return time < from || time > to;
        });
    correction
        .getRealizations()
        .forEach(
            (trait, times) -> {
              long id = Long.parseLong(trait);
              if (!within(ranges, id) || !taxonomy.traits().knows(id)) {
                return;
              }
              corrected.add(id);
              for (long time : times) {
                if (time >= from && time <= to && !traitTimes.holds(id, time)) {
                  traitTimes.add(id, time, maxRealizationsPerTrait);
                }
              }
            });
    bounds.trim(profile, traitTimes);
    // A backfill is sent whether or not membership changes: its destinations have heard nothing.
    Outcome outcome =
        requalify(
            profile,
            traitTimes,
            now,
            taxonomy,
            causeEventId,
            correction.getBackfill(),
            corrected,
            List.of());
    if (outcome.update() != null) {
      outcome.update().setCorrection(correction.getRun());
      outcome.update().setOnlyDestinations(List.copyOf(correction.getDestinations()));
      outcome.update().setBackfill(correction.getBackfill());
    }
    return outcome;
  }

  /** Whether {@code id} is in one of the inclusive ranges (first, last, first, last, ...). */
  private static boolean within(List<Long> ranges, long id) {
    for (int at = 0; at + 1 < ranges.size(); at += 2) {
      if (id >= ranges.get(at) && id <= ranges.get(at + 1)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Re-qualifies only the segments that count one of {@code changedTraits}; every other segment
   * keeps its membership, and the next change by time is the earlier of the one already known and
   * those of the re-qualified segments.
   */
  private Outcome requalifyFor(
      Profile profile,
      TraitTimes traitTimes,
      Instant now,
      CompiledTaxonomy taxonomy,
      String causeEventId,
      boolean partnersChanged,
      Set<Long> changedTraits,
      List<IdMapping> mappings) {
    Realizations realizations = realizationsOf(traitTimes, taxonomy);
    Set<CompiledSegment> candidates = taxonomy.segments().segmentsOf(changedTraits);
    List<Long> before = profile.getSegments();
    List<Long> added = new ArrayList<>(0);
    List<Long> removed = new ArrayList<>(0);
    for (CompiledSegment segment : candidates) {
      boolean member = Collections.binarySearch(before, segment.id()) >= 0;
      if (segment.rule().matches(realizations, now) != member) {
        (member ? removed : added).add(segment.id());
      }
    }
    Long known = profile.getNextChange();
    Long next = nextChange(traitTimes, now, taxonomy, candidates, changedTraits);
    profile.setNextChange(
        known == null ? next : next == null ? known : Long.valueOf(Math.min(known, next)));
    Collections.sort(added);
    Collections.sort(removed);
    return outcome(
        profile, traitTimes, now, causeEventId, partnersChanged, added, removed, mappings);
  }

  /**
   * Re-qualifies at {@code now} with no event: realizations may have expired or left a recency
   * window. Changes {@code current} in place.
   */
  public Outcome onTime(Profile current, Instant now, CompiledTaxonomy taxonomy) {
    return onTime(current, unpacked(current), now, taxonomy).packed();
  }

  /**
   * {@link #onTime(Profile, Instant, CompiledTaxonomy)} over realizations held unpacked (see {@link
   * #onEvent(Profile, TraitTimes, VisitEvent, Instant, CompiledTaxonomy)}).
   */
  Outcome onTime(Profile current, TraitTimes traitTimes, Instant now, CompiledTaxonomy taxonomy) {
    if (current == null || current.getOptedOut()) {
      return new Outcome(current, traitTimes, null, List.of());
    }
    return requalify(
        current,
        traitTimes != null ? traitTimes : TraitTimes.of(current),
        presentOf(current, now),
        taxonomy,
        null,
        false,
        Set.of(),
        List.of());
  }

  private Outcome requalify(
      Profile profile,
      TraitTimes traitTimes,
      Instant now,
      CompiledTaxonomy taxonomy,
      String causeEventId,
      boolean partnersChanged,
      Set<Long> removedTraits,
      List<IdMapping> mappings) {
    // Nothing can have expired before the next change by time; realizations just added cannot have
    // either.
    if (profile.getNextChange() == null || profile.getNextChange() <= now.toEpochMilli()) {
      prune(traitTimes, now, taxonomy);
    }
    Realizations realizations = realizationsOf(traitTimes, taxonomy);
    SegmentIndex segments = taxonomy.segments();
    Set<CompiledSegment> candidates = new HashSet<>();
    for (long trait : removedTraits) {
      segments.addSegmentsOf(trait, candidates);
    }
    for (int at = 0; at < traitTimes.size(); at++) {
      segments.addSegmentsOf(traitTimes.trait(at), candidates);
    }
    for (long member : profile.getSegments()) {
      CompiledSegment segment = segments.segment(member);
      if (segment != null) {
        candidates.add(segment);
      }
    }

    Set<Long> before = Set.copyOf(profile.getSegments());
    Set<Long> after = new TreeSet<>();
    for (CompiledSegment segment : candidates) {
      if (segment.rule().matches(realizations, now)) {
        after.add(segment.id());
      }
    }
    List<Long> added = new ArrayList<>(0);
    for (long segment : after) {
      if (!before.contains(segment)) {
        added.add(segment);
      }
    }
    List<Long> removed = new ArrayList<>(0);
    for (long segment : profile.getSegments()) {
      if (!after.contains(segment)) {
        removed.add(segment);
      }
    }

    profile.setNextChange(nextChange(traitTimes, now, taxonomy, candidates, null));
    profile.setTaxonomyRevision(taxonomy.revision());
    return outcome(
        profile, traitTimes, now, causeEventId, partnersChanged, added, removed, mappings);
  }

  /**
   * The profile with its realizations (not yet packed into it), and the update if membership or
   * partner ids changed.
   *
   * @param added the segments joined, ascending, none of the profile's
   * @param removed the segments left, ascending, all of the profile's
   */
  private static Outcome outcome(
      Profile profile,
      TraitTimes traitTimes,
      Instant now,
      String causeEventId,
      boolean partnersChanged,
      List<Long> added,
      List<Long> removed,
      List<IdMapping> mappings) {
    profile.setEvaluatedAt(now.toEpochMilli());
    ProfileUpdate update = null;
    if (!added.isEmpty() || !removed.isEmpty() || partnersChanged) {
      profile.setVersion(profile.getVersion() + 1);
      profile.setSegments(membership(profile.getSegments(), added, removed));
      update =
          ProfileUpdate.newBuilder()
              .setVisitorId(profile.getVisitorId())
              .setSegments(profile.getSegments())
              .setAdded(added)
              .setRemoved(removed)
              .setTime(now)
              .setVersion(profile.getVersion())
              .setCauseEventId(causeEventId)
              .setPartnerIds(profile.getPartnerIds())
              .setNewPartnerIds(
                  mappings.stream()
                      .map(
                          mapping ->
                              new PartnerId(mapping.getDataSourceId(), mapping.getPartnerUserId()))
                      .toList())
              .setRegions(profile.getRegions())
              .build();
    }
    return new Outcome(profile, traitTimes, update, mappings);
  }

  /** {@code segments} with {@code added} and without {@code removed}, all ascending. */
  private static List<Long> membership(List<Long> segments, List<Long> added, List<Long> removed) {
    Set<Long> after = new TreeSet<>(segments);
    after.addAll(added);
    removed.forEach(after::remove);
    return List.copyOf(after);
  }

  private static Outcome optOut(Profile current, VisitEvent event) {
    long version = current == null ? 1 : current.getVersion() + 1;
    List<Long> removed = current == null ? List.of() : current.getSegments();
    List<PartnerId> partnerIds = current == null ? List.of() : current.getPartnerIds();
    Profile marker =
        Profile.newBuilder()
            .setVisitorId(event.getVisitorId())
            .setVersion(version)
            .setSegments(List.of())
            .setOptedOut(true)
            .build();
    ProfileUpdate update =
        ProfileUpdate.newBuilder()
            .setVisitorId(event.getVisitorId())
            .setSegments(List.of())
            .setAdded(List.of())
            .setRemoved(removed)
            .setTime(event.getTime())
            .setVersion(version)
            .setCauseEventId(event.getEventId())
            .setPartnerIds(partnerIds)
            .setOptedOut(true)
            .build();
    // The id map is told to forget the visitor under each of its ids: an opt-out and an erasure
    // leave nothing of the visitor but the mark that keeps its later events out.
    List<IdMapping> forgotten =
        partnerIds.stream()
            .map(
                id ->
                    IdMapping.newBuilder()
                        .setDataSourceId(id.getDataSourceId())
                        .setPartnerUserId(id.getPartnerUserId())
                        .setVisitorId(event.getVisitorId())
                        .setTime(event.getTime())
                        .setForget(true)
                        .build())
            .toList();
    return new Outcome(marker, null, update, forgotten);
  }

  /**
   * Keeps one partner id per data source the taxonomy knows, the latest, least recently synced
   * first; true if any changed. An unknown data source's id, or an id that breaks the rule of
   * partner ids, is counted and ignored: any page could make one up, and each would be kept.
   */
  private boolean mergePartnerIds(
      Profile profile, VisitEvent event, List<IdMapping> mappings, CompiledTaxonomy taxonomy) {
    if (event.getPartnerIds().isEmpty()) {
      return false;
    }
    Map<Long, PartnerId> byDataSource = new LinkedHashMap<>();
    profile.getPartnerIds().forEach(id -> byDataSource.put(id.getDataSourceId(), id));
    boolean changed = false;
    for (PartnerId id : event.getPartnerIds()) {
      if (!taxonomy.dataSources().knows(id.getDataSourceId())) {
        bounds.counts().unknownDataSources.increment();
        continue;
      }
      if (!PartnerUserId.isValid(id.getPartnerUserId())) {
        bounds.counts().invalidPartnerIds.increment();
        continue;
      }
      PartnerId previous = byDataSource.remove(id.getDataSourceId());
      byDataSource.put(id.getDataSourceId(), id);
      if (previous == null || !previous.getPartnerUserId().equals(id.getPartnerUserId())) {
        changed = true;
        mappings.add(
            new IdMapping(
                id.getDataSourceId(),
                id.getPartnerUserId(),
                profile.getVisitorId(),
                event.getTime(),
                false));
      }
    }
    profile.setPartnerIds(new ArrayList<>(byDataSource.values()));
    return changed;
  }

  /** Drops realizations whose trait's TTL has run out at {@code now}. */
  private static void prune(TraitTimes traitTimes, Instant now, CompiledTaxonomy taxonomy) {
    long nowMillis = now.toEpochMilli();
    traitTimes.retain((trait, time) -> alive(taxonomy.traits().ttlMillis(trait), time, nowMillis));
  }

  /** Whether a realization at {@code time} is still within a TTL of {@code ttlMillis}. */
  private static boolean alive(long ttlMillis, long time, long nowMillis) {
    return nowMillis - time < ttlMillis;
  }

  static Realizations realizationsOf(TraitTimes traitTimes, CompiledTaxonomy taxonomy) {
    return (traitIds, window, now) -> {
      long nowMillis = now.toEpochMilli();
      int count = 0;
      for (long trait : traitIds) {
        int at = traitTimes.indexOf(trait);
        if (at < 0) {
          continue;
        }
        long ttlMillis = taxonomy.traits().ttlMillis(trait);
        for (int each = traitTimes.first(at); each < traitTimes.end(at); each++) {
          long age = nowMillis - traitTimes.time(each);
          if (age >= 0 && age < ttlMillis && window.containsMillis(age)) {
            count++;
          }
        }
      }
      return count;
    };
  }

  /**
   * The earliest moment after {@code now} at which time alone may change a segment: a realization
   * reaching its TTL or crossing the edge of a recency window of a segment that counts it.
   *
   * @param ttlTraits the traits whose TTLs to consider; null for all the profile's
   */
  private static Long nextChange(
      TraitTimes traitTimes,
      Instant now,
      CompiledTaxonomy taxonomy,
      Set<CompiledSegment> candidates,
      Set<Long> ttlTraits) {
    long nowMillis = now.toEpochMilli();
    long earliest = Long.MAX_VALUE;
    if (ttlTraits == null) {
      for (int at = 0; at < traitTimes.size(); at++) {
        earliest =
            earliestExpiry(
                taxonomy.traits().ttlMillis(traitTimes.trait(at)),
                traitTimes,
                at,
                nowMillis,
                earliest);
      }
    } else {
      for (long trait : ttlTraits) {
        int at = traitTimes.indexOf(trait);
        if (at >= 0) {
          earliest =
              earliestExpiry(
                  taxonomy.traits().ttlMillis(trait), traitTimes, at, nowMillis, earliest);
        }
      }
    }
    // Recency edges only for the traits the segments in question count: far fewer than a profile's
    // realizations.
    for (CompiledSegment segment : candidates) {
      List<Realizations.Window> windows = segment.rule().windows();
      if (windows.isEmpty()) {
        continue;
      }
      for (long trait : segment.rule().traits()) {
        int at = traitTimes.indexOf(trait);
        if (at < 0) {
          continue;
        }
        for (Realizations.Window window : windows) {
          earliest =
              earliestAfter(traitTimes, at, window.atLeast().toMillis(), nowMillis, earliest);
          if (window.atMost() != null) {
            earliest =
                earliestAfter(traitTimes, at, window.atMost().toMillis() + 1, nowMillis, earliest);
          }
        }
      }
    }
    return earliest == Long.MAX_VALUE ? null : earliest;
  }

  private static long earliestExpiry(
      long ttlMillis, TraitTimes traitTimes, int at, long nowMillis, long earliest) {
    return ttlMillis == Long.MAX_VALUE
        ? earliest
        : earliestAfter(traitTimes, at, ttlMillis, nowMillis, earliest);
  }

  /**
   * The earliest of {@code earliest} and the times {@code edge} after a realization that are still
   * to come.
   */
  private static long earliestAfter(
      TraitTimes traitTimes, int at, long edge, long nowMillis, long earliest) {
    for (int each = traitTimes.first(at); each < traitTimes.end(at); each++) {
      long when = traitTimes.time(each) + edge;
      if (when > nowMillis && when < earliest) {
        earliest = when;
      }
    }
    return earliest;
  }

  /** Keeps the region of the visitor's latest call last, and the few before it. */
  private static void noteRegion(Profile profile, int region) {
    List<Integer> regions = profile.getRegions();
    if (!regions.isEmpty() && regions.get(regions.size() - 1) == region) {
      return;
    }
    List<Integer> noted = new ArrayList<>(regions);
    noted.remove(Integer.valueOf(region));
    noted.add(region);
    profile.setRegions(
        noted.size() > MAX_REGIONS
            ? List.copyOf(noted.subList(noted.size() - MAX_REGIONS, noted.size()))
            : noted);
  }

  /** {@code time}, or the profile's last evaluation if later: a profile's time never goes back. */
  private static Instant presentOf(Profile profile, Instant time) {
    return profile.getEvaluatedAt() > time.toEpochMilli()
        ? Instant.ofEpochMilli(profile.getEvaluatedAt())
        : time;
  }

  private static Instant latest(Instant one, Instant other) {
    return one.isAfter(other) ? one : other;
  }

  /** The profile's realizations, unpacked; null for no profile. */
  private static TraitTimes unpacked(Profile profile) {
    return profile == null ? null : TraitTimes.of(profile);
  }

  private static Profile empty(String visitorId) {
    return Profile.newBuilder()
        .setVisitorId(visitorId)
        .setVersion(0)
        .setSegments(List.of())
        .setRegions(List.of())
        .build();
  }
}
