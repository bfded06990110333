package org.dmp.qualifier.profile;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.dmp.avro.Profile;
import org.dmp.qualifier.populations.PopulationCounter;
import org.dmp.qualifier.populations.SegmentChanges;
import org.dmp.schemas.serde.AvroSerde;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.CompiledTaxonomy;

/**
 * The qualifier's topology: visits in, one profile processor with its two stores, segment updates
 * and id mappings out. The id mappings come back in, partitioned by partner id, where opt-outs by
 * declared id ({@link PartnerIdOptOuts}) and inbound file lines ({@link InboundLines}) meet the
 * visitors of each id; what they resolve to goes back to the visits topic, so that each profile
 * keeps one writer.
 */
public final class QualifierTopology {
  public static final String PROFILES = "profiles";
  public static final String CHANGE_INDEX = "profiles-by-next-change";
  static final String PARTITION_TIME = "partition-time";
  static final String VISITS_SOURCE = "visits";
  static final String QUALIFY = "qualify";
  static final String SEGMENTS_SINK = "segment-updates";
  static final String IDMAP_SINK = "id-mappings";
  public static final String PARTNER_IDS = "partner-ids";
  static final String IDMAP_SOURCE = "idmap-source";
  static final String PARTNER_ID_OPT_OUTS = "partner-id-opt-outs";
  static final String RESOLVED_SINK = "resolved-by-partner-id";
  static final String RESTATED_SINK = "restated-id-mappings";
  static final String REPLAY_BOUNDS = "replay-bounds";
  static final String INBOUND_SOURCE = "inbound-source";
  static final String INBOUND_LINES = "inbound-lines";
  static final String WAITING_LINES = "inbound-lines-waiting";
  static final String WAITING_BY_TIME = "inbound-lines-waiting-by-time";
  static final String SEGMENTS_SOURCE = "segment-updates-source";
  static final String SEGMENT_CHANGES = "segment-changes";
  static final String SEGMENT_POPULATIONS = "segment-populations";
  static final String POPULATIONS_SINK = "populations";
  public static final String TRAIT_COUNTS = "trait-population-counts";
  public static final String SEGMENT_COUNTS = "segment-population-counts";

  private QualifierTopology() {}

  /** Where the topology keeps its state stores. */
  public enum Storage {
    /** RocksDB, as services run. */
    ON_DISK,
    /**
     * In the heap: for drivers that commit after every record (a TopologyTestDriver), where RocksDB
     * would flush a file for each.
     */
    IN_MEMORY;

    KeyValueBytesStoreSupplier store(String name) {
      return this == ON_DISK
          ? Stores.persistentKeyValueStore(name)
          : Stores.inMemoryKeyValueStore(name);
    }
  }

  /**
   * @param taxonomy the current compiled taxonomy, read for each event
   * @param bounds how much a profile may hold
   * @param grace how late an event may come and still count as on time
   * @param storage where the state stores are kept
   * @param populationsEvery how often the populations that changed are written
   */
  public static Topology build(
      Topics topics,
      Supplier<CompiledTaxonomy> taxonomy,
      ProfileBounds bounds,
      Duration grace,
      Storage storage,
      Duration populationsEvery) {
    // Nobody asks this topology same-hit questions, so none may wait.
    return build(
        topics,
        taxonomy,
        bounds,
        new ProcessedOffsets(0, hit -> {}),
        TimeProgress.unwatched(grace),
        PendingLines.defaults(),
        storage,
        populationsEvery);
  }

  /**
   * @param processed where the processor notes the offsets it has processed, for same-hit questions
   * @param time where the processor notes each partition's time and late events; its grace is how
   *     late an event may come and still count as on time
   * @param pending how inbound lines wait for their partner id's sync, and their counts
   * @param storage where the state stores are kept
   * @param populationsEvery how often the populations that changed are written
   */
  public static Topology build(
      Topics topics,
      Supplier<CompiledTaxonomy> taxonomy,
      ProfileBounds bounds,
      ProcessedOffsets processed,
      TimeProgress time,
      PendingLines pending,
      Storage storage,
      Duration populationsEvery) {
    Topology topology = new Topology();
    addVisitsSource(topology, topics);
    addQualify(
        topology,
        taxonomy,
        bounds,
        processed,
        time,
        VISITS_SOURCE,
        storage,
        Optional.empty(),
        Optional.of(populationsEvery),
        false);
    topology.addSink(
        SEGMENTS_SINK,
        topics.segments().name(),
        topics.segments().keys().serializer(),
        topics.segments().values().serializer(),
        QUALIFY);
    topology.addSource(
        AutoOffsetReset.earliest(),
        IDMAP_SOURCE,
        topics.idmap().keys().deserializer(),
        topics.idmap().values().deserializer(),
        topics.idmap().name());
    topology.addProcessor(PARTNER_ID_OPT_OUTS, () -> new PartnerIdOptOuts(pending), IDMAP_SOURCE);
    // Co-partitioned with the id map (the topic settings insist): a line meets its id's syncs.
    topology.addSource(
        AutoOffsetReset.earliest(),
        INBOUND_SOURCE,
        topics.inbound().keys().deserializer(),
        topics.inbound().values().deserializer(),
        topics.inbound().name());
    topology.addProcessor(INBOUND_LINES, () -> new InboundLines(pending), INBOUND_SOURCE);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(storage.store(PARTNER_IDS), Serdes.String(), Serdes.String()),
        PARTNER_ID_OPT_OUTS,
        INBOUND_LINES);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            storage.store(WAITING_LINES), Serdes.String(), topics.visits().values()),
        PARTNER_ID_OPT_OUTS,
        INBOUND_LINES);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            storage.store(WAITING_BY_TIME), Serdes.String(), Serdes.String()),
        PARTNER_ID_OPT_OUTS,
        INBOUND_LINES);
    topology.addSink(
        RESOLVED_SINK,
        topics.visits().name(),
        topics.visits().keys().serializer(),
        topics.visits().values().serializer(),
        PARTNER_ID_OPT_OUTS,
        INBOUND_LINES);
    topology.addSink(
        IDMAP_SINK,
        topics.idmap().name(),
        topics.idmap().keys().serializer(),
        topics.idmap().values().serializer(),
        QUALIFY);
    // Back to the topic it reads: the id's mapping as it stands after a visitor was forgotten.
    topology.addSink(
        RESTATED_SINK,
        topics.idmap().name(),
        topics.idmap().keys().serializer(),
        topics.idmap().values().serializer(),
        PARTNER_ID_OPT_OUTS);
    addPopulations(topology, topics, storage, populationsEvery);
    return topology;
  }

  /**
   * Trait populations counted from the profile processor's trait changes (dmp.segments carries no
   * traits), segment populations from dmp.segments, both written to dmp.populations.
   */
  private static void addPopulations(
      Topology topology, Topics topics, Storage storage, Duration every) {
    topology.addSource(
        AutoOffsetReset.earliest(),
        SEGMENTS_SOURCE,
        topics.segments().keys().deserializer(),
        topics.segments().values().deserializer(),
        topics.segments().name());
    topology.addProcessor(SEGMENT_CHANGES, SegmentChanges::new, SEGMENTS_SOURCE);
    topology.addProcessor(
        SEGMENT_POPULATIONS,
        () -> new PopulationCounter(SEGMENT_COUNTS, POPULATIONS_SINK, every),
        SEGMENT_CHANGES);
    // Counted in memory, written every few seconds (see PopulationCounts); cached all the same.
    topology.addStateStore(
        Stores.keyValueStoreBuilder(storage.store(TRAIT_COUNTS), Serdes.String(), Serdes.String())
            .withCachingEnabled(),
        QUALIFY);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(storage.store(SEGMENT_COUNTS), Serdes.String(), Serdes.String())
            .withCachingEnabled(),
        SEGMENT_POPULATIONS);
    topology.addSink(
        POPULATIONS_SINK,
        topics.populations().name(),
        topics.populations().keys().serializer(),
        topics.populations().values().serializer(),
        QUALIFY,
        SEGMENT_POPULATIONS);
  }

  /**
   * A replay's shadow: the same processor over the visits a run reads, its updates to {@code
   * updatesTopic}. The id mappings, and the opt-outs by declared id, are the live qualifier's to
   * write: what they cause is in the visits topic already (the resolved opt-outs), so the shadow
   * drops them, and writes nothing to any topic of the live pipeline. Its profiles are held between
   * its commits (see {@link ProfileCache}), and one due several times by the present is
   * re-qualified once (see {@link ProfileProcessor}): the run compares where membership ends.
   *
   * @param seen told of every visits record the run reads, within its bounds or not
   * @param storage where the state stores are kept
   * @param cacheBytes about how many bytes of profiles each partition's task holds between commits
   */
  public static Topology shadow(
      Topics topics,
      Supplier<CompiledTaxonomy> taxonomy,
      ProfileBounds profileBounds,
      Duration grace,
      ReplayBounds bounds,
      ReplayProgress seen,
      String updatesTopic,
      Storage storage,
      long cacheBytes) {
    Topology topology = new Topology();
    addVisitsSource(topology, topics);
    topology.addProcessor(REPLAY_BOUNDS, () -> new WithinBounds(bounds, seen), VISITS_SOURCE);
    addQualify(
        topology,
        taxonomy,
        profileBounds,
        new ProcessedOffsets(0, hit -> {}),
        TimeProgress.unwatched(grace),
        REPLAY_BOUNDS,
        storage,
        Optional.of(new HeldProfiles(cacheBytes, seen::isOver)),
        Optional.empty(),
        true);
    topology.addSink(
        SEGMENTS_SINK,
        updatesTopic,
        topics.segments().keys().serializer(),
        topics.segments().values().serializer(),
        QUALIFY);
    topology.addProcessor(IDMAP_SINK, Discard::new, QUALIFY);
    return topology;
  }

  private static void addVisitsSource(Topology topology, Topics topics) {
    // A new application id starts at the beginning of the event log, as Kafka Streams does by
    // default; a replay seeds its group's offsets before it starts.
    topology.addSource(
        AutoOffsetReset.earliest(),
        VISITS_SOURCE,
        new VisitTimeExtractor(),
        topics.visits().keys().deserializer(),
        topics.visits().values().deserializer(),
        topics.visits().name());
  }

  /**
   * The profile processor and its stores, fed by {@code parent}.
   *
   * @param held when present, the profile store holds what is written between commits as objects
   *     (see {@link ProfileCache}): worth it only when commits are far apart, as a replay's are
   * @param catchUpAtOnce whether a profile due several times by the present is re-qualified once,
   *     at the present, rather than at each time (see {@link ProfileProcessor}): for a replay,
   *     which compares where membership ends and tells no partner of the changes on the way
   */
  private static void addQualify(
      Topology topology,
      Supplier<CompiledTaxonomy> taxonomy,
      ProfileBounds bounds,
      ProcessedOffsets processed,
      TimeProgress time,
      String parent,
      Storage storage,
      Optional<HeldProfiles> held,
      Optional<Duration> traitPopulationsEvery,
      boolean catchUpAtOnce) {
    ProfileEvolution evolution = new ProfileEvolution(bounds);
    topology.addProcessor(
        QUALIFY,
        () ->
            new ProfileProcessor(
                taxonomy, evolution, processed, time, traitPopulationsEvery, catchUpAtOnce),
        parent);
    StoreBuilder<KeyValueStore<String, Profile>> profiles =
        Stores.keyValueStoreBuilder(
            storage.store(PROFILES), Serdes.String(), AvroSerde.of(Profile.class));
    topology.addStateStore(
        held.isPresent()
            ? ProfileCache.over(profiles, held.get().mostBytes(), held.get().unneeded())
            : profiles,
        QUALIFY);
    // Never cached: a range or a scan of a cached store copies the cached keys within it, and the
    // index is scanned whenever time reaches a profile's next change.
    topology.addStateStore(
        Stores.keyValueStoreBuilder(storage.store(CHANGE_INDEX), Serdes.String(), Serdes.String()),
        QUALIFY);
    // Written at every record that moves time on; the cache makes that one changelog record per
    // commit.
    topology.addStateStore(
        Stores.keyValueStoreBuilder(storage.store(PARTITION_TIME), Serdes.String(), Serdes.Long())
            .withCachingEnabled(),
        QUALIFY);
  }

  /**
   * How a shadow's profile store holds profiles between commits: up to about {@code mostBytes}, and
   * none written once {@code unneeded} (the run is over).
   */
  private record HeldProfiles(long mostBytes, BooleanSupplier unneeded) {}

  /** Where a shadow's id mappings go: nowhere. */
  private static final class Discard implements Processor<String, Object, Void, Void> {
    @Override
    public void process(Record<String, Object> record) {}
  }

  /**
   * The visitors a partner id was synced with, oldest first, from its {@link #PARTNER_IDS} state.
   */
  public static List<String> syncedVisitors(String partnerIdState) {
    return PartnerIdOptOuts.visitors(partnerIdState);
  }

  /** Whether a {@link #PARTNER_IDS} state is that of an opted-out partner id. */
  public static boolean partnerIdOptedOut(String partnerIdState) {
    return PartnerIdOptOuts.optedOut(partnerIdState);
  }
}
