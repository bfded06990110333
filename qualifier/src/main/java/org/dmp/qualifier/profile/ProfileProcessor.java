package org.dmp.qualifier.profile;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.dmp.avro.EventSource;
import org.dmp.avro.IdMapping;
import org.dmp.avro.PartnerId;
import org.dmp.avro.PopulationKind;
import org.dmp.avro.Profile;
import org.dmp.avro.ProfileUpdate;
import org.dmp.avro.VisitEvent;
import org.dmp.qualifier.populations.PopulationCounts;
import org.dmp.schemas.IdMapKey;
import org.dmp.schemas.Ticks;
import org.dmp.schemas.VisitorId;
import org.dmp.taxonomy.CompiledTaxonomy;

/**
 * Keeps each visitor's profile in the {@value QualifierTopology#PROFILES} store and emits a
 * ProfileUpdate whenever membership changes. A second store indexes profiles by the event time at
 * which time alone may change them; at each record (a visit or a tick, see {@link Ticks}) the index
 * is walked up to the partition's time less the grace, and each profile due is re-qualified at the
 * exact time it was due, so its cost follows the profiles that change, not the profiles that exist,
 * and what is written does not depend on how often ticks come.
 *
 * <p>Why not a punctuator: a stream-time punctuation fires at moments that depend on where the task
 * was last restarted (the schedule starts again at the first record after a restart), so a visitor
 * due between two events could be re-qualified at one stream time in an uninterrupted run and at
 * another after a crash, and exactly-once would write different updates. Walking the index as part
 * of each record makes what is written a function of the records alone.
 *
 * <p>The partition's time is the largest event time processed (the source reads it from the event,
 * see {@link VisitTimeExtractor}), kept in a store of its own so that it is plainly a function of
 * the records processed, committed and restored with the rest of the state, rather than resting on
 * how Kafka Streams tracks and restores its own stream time.
 */
final class ProfileProcessor implements Processor<String, VisitEvent, String, Object> {
  private static final long NOTHING_DUE = Long.MAX_VALUE;
  private static final long[] NO_TRAITS = {};
  private static final String PARTITION_TIME_KEY = "time";

  private final Supplier<CompiledTaxonomy> taxonomy;
  private final ProfileEvolution evolution;
  private final ProcessedOffsets processed;
  private final TimeProgress time;
  private final long graceMillis;
  private final Optional<Duration> traitPopulationsEvery;
  private final boolean catchUpAtOnce;

  /** The traits' populations; null when this processor does not count them (a replay's shadow). */
  private PopulationCounts traitCounts;

  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, Profile> profiles;

  /** The profile store when it holds profiles between commits (a replay's); else null. */
  private ProfileCache held;

  private KeyValueStore<String, String> changeIndex;
  private KeyValueStore<String, Long> partitionTimes;

  /** The latest event time this partition's records have brought, as committed with them. */
  private long partitionTime;

  /**
   * No entry of the change index is earlier than this (it may be earlier than the first entry,
   * never later).
   */
  private long earliestDue;

  ProfileProcessor(
      Supplier<CompiledTaxonomy> taxonomy,
      ProfileEvolution evolution,
      ProcessedOffsets processed,
      TimeProgress time,
      Optional<Duration> traitPopulationsEvery,
      boolean catchUpAtOnce) {
    this.taxonomy = taxonomy;
    this.evolution = evolution;
    this.processed = processed;
    this.time = time;
    this.graceMillis = time.grace().toMillis();
    this.traitPopulationsEvery = traitPopulationsEvery;
    this.catchUpAtOnce = catchUpAtOnce;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.profiles = context.getStateStore(QualifierTopology.PROFILES);
    this.held = ProfileCache.within(profiles);
    this.changeIndex = context.getStateStore(QualifierTopology.CHANGE_INDEX);
    this.partitionTimes = context.getStateStore(QualifierTopology.PARTITION_TIME);
    Long restored = partitionTimes.get(PARTITION_TIME_KEY);
    this.partitionTime = restored == null ? Long.MIN_VALUE : restored;
    this.earliestDue = firstIndexedTime();
    if (traitPopulationsEvery.isPresent()) {
      traitCounts =
          new PopulationCounts(
              context.getStateStore(QualifierTopology.TRAIT_COUNTS), context.taskId().partition());
      // Wall-clock time: populations are written for readers, and what this processor writes to
      // dmp.segments does not depend on when.
      context.schedule(
          traitPopulationsEvery.get(),
          PunctuationType.WALL_CLOCK_TIME,
          now ->
              traitCounts.write(
                  now,
                  (key, population) ->
                      context.forward(
                          new Record<>(key, population, now), QualifierTopology.POPULATIONS_SINK)));
    }
  }

  @Override
  public void process(Record<String, VisitEvent> record) {
    VisitEvent event = record.value();
    if (record.timestamp() > partitionTime) {
      partitionTime = record.timestamp();
      partitionTimes.put(PARTITION_TIME_KEY, partitionTime);
    }
    // Everything due before this record's time is re-qualified first: it happened first.
    long present = partitionTime - graceMillis;
    if (earliestDue <= present) {
      requalifyDue(present);
    }
    if (Ticks.isTick(event)) {
      // Time only, done above.
    } else if (event != null
        && VisitorId.OPTED_OUT.equals(record.key())
        && event.getSource() == EventSource.OPT_OUT) {
      optOutByPartnerIds(event);
    } else if (event != null && record.key() != null) {
      // A correction carries the time of the replay that made it: old by design, not late.
      if (event.getTime().toEpochMilli() < present && event.getCorrection() == null) {
        time.late();
      }
      ProfileCache.Unpacked before = read(record.key());
      Long indexedAt = before.profile() == null ? null : before.profile().getNextChange();
      long[] traitsBefore = traitsHeld(before.profile(), before.traitTimes());
      ProfileEvolution.Outcome outcome =
          evolution.onEvent(
              before.profile(),
              before.traitTimes(),
              event,
              Instant.ofEpochMilli(present),
              taxonomy.get());
      store(record.key(), indexedAt, traitsBefore, outcome, event.getTime().toEpochMilli());
    }
    long hitMillis =
        event != null && event.getSource() == EventSource.EDGE
            ? event.getTime().toEpochMilli()
            : -1;
    context
        .recordMetadata()
        .ifPresent(
            metadata -> {
              time.reached(metadata.partition(), partitionTime);
              processed.processed(metadata.partition(), metadata.offset(), hitMillis);
            });
  }

  @Override
  public void close() {
    if (traitCounts != null) {
      traitCounts.writePending();
    }
    time.released(context.taskId().partition());
  }

  /**
   * An opt-out that names its visitor only by declared ids: each id goes to the id map as mapped to
   * {@code NOTARGET}, where {@link PartnerIdOptOuts} meets it with the id's visitors.
   */
  private void optOutByPartnerIds(VisitEvent event) {
    for (PartnerId partnerId : event.getPartnerIds()) {
      IdMapping optedOut =
          new IdMapping(
              partnerId.getDataSourceId(),
              partnerId.getPartnerUserId(),
              VisitorId.OPTED_OUT,
              event.getTime(),
              false);
      context.forward(
          new Record<>(
              IdMapKey.of(partnerId.getDataSourceId(), partnerId.getPartnerUserId()),
              optedOut,
              event.getTime().toEpochMilli()),
          QualifierTopology.IDMAP_SINK);
    }
  }

  /**
   * Re-qualifies every profile whose next change by time is due by {@code present}, at each time it
   * is due, one after the other, and stores it once: when time jumps (a quiet partition's tick, a
   * replay's end), a profile may be due many times. With {@link #catchUpAtOnce}, a profile due is
   * re-qualified once, at {@code present}: membership then is the same (it follows from the
   * realizations and the time alone), only the changes in between go unsaid.
   */
  private void requalifyDue(long present) {
    CompiledTaxonomy current = taxonomy.get();
    List<KeyValue<String, String>> due = new ArrayList<>();
    try (KeyValueIterator<String, String> entries =
        changeIndex.range(indexKey(0, ""), indexKey(present, "\uffff"))) {
      entries.forEachRemaining(due::add);
    }
    for (KeyValue<String, String> entry : due) {
      changeIndex.delete(entry.key);
      ProfileCache.Unpacked stored = read(entry.value);
      if (stored.profile() == null) {
        continue;
      }
      ProfileEvolution.Outcome outcome =
          new ProfileEvolution.Outcome(stored.profile(), stored.traitTimes(), null, List.of());
      long dueAt = catchUpAtOnce ? present : indexedTime(entry.key);
      do {
        long[] traitsBefore = traitsHeld(outcome.profile(), outcome.traitTimes());
        outcome =
            evolution.onTime(
                outcome.profile(), outcome.traitTimes(), Instant.ofEpochMilli(dueAt), current);
        countTraitChanges(traitsBefore, outcome, dueAt);
        emit(entry.value, outcome, dueAt);
        Long next = outcome.profile().getNextChange();
        dueAt = next == null ? NOTHING_DUE : next;
      } while (dueAt <= present);
      // Its index entry is gone already: the profile is stored as if it had none, and its next
      // change is after the present.
      store(entry.value, null, outcome);
    }
    earliestDue = firstIndexedTime();
  }

  /**
   * @param indexedAt where the profile is in the change index before the evolution (which may
   *     change the profile in place); null when it has no entry
   * @param traitsBefore the traits the profile held before the evolution, ascending
   * @param timestamp the time of the id mappings learnt and of the traits joined or left
   */
  private void store(
      String visitorId,
      Long indexedAt,
      long[] traitsBefore,
      ProfileEvolution.Outcome outcome,
      long timestamp) {
    countTraitChanges(traitsBefore, outcome, timestamp);
    store(visitorId, indexedAt, outcome);
    emit(visitorId, outcome, timestamp);
  }

  /**
   * The visitor's profile (null: none), with its realizations unpacked if the store holds them so.
   */
  private ProfileCache.Unpacked read(String visitorId) {
    return held != null
        ? held.unpacked(visitorId)
        : new ProfileCache.Unpacked(profiles.get(visitorId), null);
  }

  /**
   * Writes the outcome's profile (held with its realizations unpacked when the store holds profiles
   * between commits), and moves its change index entry if its next change moved.
   */
  private void store(String visitorId, Long indexedAt, ProfileEvolution.Outcome outcome) {
    Profile after = outcome.profile();
    Long nextChange = after.getNextChange();
    // An unchanged entry is not written again: each write is a RocksDB put and a changelog record.
    if (indexedAt != null && !indexedAt.equals(nextChange)) {
      changeIndex.delete(indexKey(indexedAt, visitorId));
    }
    if (nextChange != null && !nextChange.equals(indexedAt)) {
      changeIndex.put(indexKey(nextChange, visitorId), visitorId);
      earliestDue = Math.min(earliestDue, nextChange);
    }
    if (held != null) {
      held.put(visitorId, after, outcome.traitTimes());
    } else {
      profiles.put(visitorId, outcome.packed().profile());
    }
  }

  /** Forwards the outcome's update and id mappings. */
  private void emit(String visitorId, ProfileEvolution.Outcome outcome, long timestamp) {
    ProfileUpdate update = outcome.update();
    if (update != null) {
      long updatedAt = update.getTime().toEpochMilli();
      context.forward(new Record<>(visitorId, update, updatedAt), QualifierTopology.SEGMENTS_SINK);
      if (update.getOptedOut()) {
        // Partners read the removals above; then compaction may drop all the visitor held here.
        context.forward(
            new Record<>(visitorId, (Object) null, updatedAt), QualifierTopology.SEGMENTS_SINK);
      }
    }
    for (IdMapping mapping : outcome.mappings()) {
      context.forward(
          new Record<>(
              IdMapKey.of(mapping.getDataSourceId(), mapping.getPartnerUserId()),
              mapping,
              timestamp),
          QualifierTopology.IDMAP_SINK);
    }
  }

  /**
   * The traits a profile holds (those with a realization still alive), ascending; none when this
   * processor does not count populations, as a replay's shadow does not, so that it reads nothing.
   */
  private long[] traitsHeld(Profile profile, TraitTimes unpacked) {
    return traitCounts == null || profile == null
        ? NO_TRAITS
        : (unpacked != null ? unpacked : TraitTimes.of(profile)).traits();
  }

  /** Counts the traits joined and left between two ascending lists of traits held. */
  private void countTraitChanges(long[] before, ProfileEvolution.Outcome outcome, long timestamp) {
    if (traitCounts == null) {
      return;
    }
    long[] after = traitsHeld(outcome.profile(), outcome.traitTimes());
    int was = 0;
    int is = 0;
    while (was < before.length || is < after.length) {
      if (is == after.length || (was < before.length && before[was] < after[is])) {
        traitCounts.count(PopulationKind.TRAIT, before[was++], timestamp, -1);
      } else if (was == before.length || after[is] < before[was]) {
        traitCounts.count(PopulationKind.TRAIT, after[is++], timestamp, 1);
      } else {
        was++;
        is++;
      }
    }
  }

  private long firstIndexedTime() {
    try (KeyValueIterator<String, String> entries = changeIndex.all()) {
      return entries.hasNext() ? indexedTime(entries.next().key) : NOTHING_DUE;
    }
  }

  /** Zero-padded so that the store's byte order is time order. */
  static String indexKey(long time, String visitorId) {
    String digits = Long.toString(time);
    return "0".repeat(Math.max(0, 13 - digits.length())) + digits + "|" + visitorId;
  }

  private static long indexedTime(String indexKey) {
    return Long.parseLong(indexKey, 0, indexKey.indexOf('|'), 10);
  }
}
