package org.dmp.schemas.topics;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.dmp.avro.DeadLetter;
import org.dmp.avro.DeliveryAttempt;
import org.dmp.avro.IdMapping;
import org.dmp.avro.InboundChunk;
import org.dmp.avro.InboundFile;
import org.dmp.avro.Population;
import org.dmp.avro.ProfileUpdate;
import org.dmp.avro.ReplayRun;
import org.dmp.avro.TaxonomyEntry;
import org.dmp.avro.VisitEvent;
import org.dmp.schemas.serde.AvroSerde;

/**
 * A topic with what it carries: its role, its name, and the serdes of its keys and values. The
 * factories below are the one place that says which record type each role's topic holds; a
 * configured {@link Topics} gives them their names.
 */
public record Topic<K, V extends SpecificRecord>(
    TopicRole role, String name, Serde<K> keys, AvroSerde<V> values) {
  private static final Serde<String> KEYS = Serdes.String();
  private static final AvroSerde<VisitEvent> VISITS = AvroSerde.of(VisitEvent.class);
  private static final AvroSerde<ProfileUpdate> UPDATES = AvroSerde.of(ProfileUpdate.class);
  private static final AvroSerde<TaxonomyEntry> ENTRIES = AvroSerde.of(TaxonomyEntry.class);
  private static final AvroSerde<IdMapping> MAPPINGS = AvroSerde.of(IdMapping.class);
  private static final AvroSerde<DeliveryAttempt> ATTEMPTS = AvroSerde.of(DeliveryAttempt.class);
  private static final AvroSerde<DeadLetter> DEAD_LETTERS = AvroSerde.of(DeadLetter.class);
  private static final AvroSerde<ReplayRun> RUNS = AvroSerde.of(ReplayRun.class);
  private static final AvroSerde<InboundChunk> CHUNKS = AvroSerde.of(InboundChunk.class);
  private static final AvroSerde<InboundFile> FILES = AvroSerde.of(InboundFile.class);
  private static final AvroSerde<Population> POPULATIONS = AvroSerde.of(Population.class);

  /** The same topic, whose consumers set aside records longer than {@code maxRecordBytes}. */
  public Topic<K, V> limitedTo(int maxRecordBytes) {
    return new Topic<>(role, name, keys, values.limitedTo(maxRecordBytes));
  }

  /** The event log: visits keyed by visitor id. */
  public static Topic<String, VisitEvent> visits(String name) {
    return new Topic<>(TopicRole.VISITS, name, KEYS, VISITS);
  }

  /** Segment updates keyed by visitor id. */
  public static Topic<String, ProfileUpdate> segments(String name) {
    return new Topic<>(TopicRole.SEGMENTS, name, KEYS, UPDATES);
  }

  /** Taxonomy items by key, and revision markers. */
  public static Topic<String, TaxonomyEntry> taxonomy(String name) {
    return new Topic<>(TopicRole.TAXONOMY, name, KEYS, ENTRIES);
  }

  /** Partner ids to visitor ids, keyed by data source and partner id. */
  public static Topic<String, IdMapping> idmap(String name) {
    return new Topic<>(TopicRole.IDMAP, name, KEYS, MAPPINGS);
  }

  /** Every delivery attempt, keyed by destination id. */
  public static Topic<String, DeliveryAttempt> deliveries(String name) {
    return new Topic<>(TopicRole.DELIVERIES, name, KEYS, ATTEMPTS);
  }

  /** What could not be delivered, keyed by destination id. */
  public static Topic<String, DeadLetter> deadLetters(String name) {
    return new Topic<>(TopicRole.DEADLETTER, name, KEYS, DEAD_LETTERS);
  }

  /** Replay runs keyed by run id. */
  public static Topic<String, ReplayRun> replayRuns(String name) {
    return new Topic<>(TopicRole.REPLAY_RUNS, name, KEYS, RUNS);
  }

  /**
   * Inbound file lines, many to a record, each in the partition of its user's key (for a partner id
   * the id map's, {@code IdMapKey}), for the qualifier to resolve and write to the event log.
   */
  public static Topic<String, InboundChunk> inbound(String name) {
    return new Topic<>(TopicRole.INBOUND, name, KEYS, CHUNKS);
  }

  /** Inbound files' progress and receipts, keyed by file name and md5. */
  public static Topic<String, InboundFile> inboundFiles(String name) {
    return new Topic<>(TopicRole.INBOUND_FILES, name, KEYS, FILES);
  }

  /** Trait and segment populations, one record per kind, id and qualifier partition. */
  public static Topic<String, Population> populations(String name) {
    return new Topic<>(TopicRole.POPULATIONS, name, KEYS, POPULATIONS);
  }
}
