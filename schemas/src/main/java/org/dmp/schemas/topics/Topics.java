package org.dmp.schemas.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.common.errors.TopicExistsException;
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
import org.dmp.config.ConfigReader;

/**
 * The pipeline's topics as configured: names, partition counts and retention, and what each
 * carries.
 */
public final class Topics {
  /** The classpath file documenting every topic setting; services list it among their defaults. */
  public static final String DEFAULTS = "dmp-topics.properties";

  /** The prefix of the pipeline's topics. */
  public static final String INTERNAL_PREFIX = "dmp.";

  private final Map<TopicRole, TopicSpec> specs;
  private final Topic<String, VisitEvent> visits;
  private final Topic<String, ProfileUpdate> segments;
  private final Topic<String, TaxonomyEntry> taxonomy;
  private final Topic<String, IdMapping> idmap;
  private final Topic<String, DeliveryAttempt> deliveries;
  private final Topic<String, DeadLetter> deadLetters;
  private final Topic<String, ReplayRun> replayRuns;
  private final Topic<String, InboundChunk> inbound;
  private final Topic<String, InboundFile> inboundFiles;
  private final Topic<String, Population> populations;

  private Topics(Map<TopicRole, TopicSpec> specs) {
    this.specs = Map.copyOf(specs);
    this.visits = limited(Topic.visits(name(TopicRole.VISITS)));
    this.segments = limited(Topic.segments(name(TopicRole.SEGMENTS)));
    this.taxonomy = limited(Topic.taxonomy(name(TopicRole.TAXONOMY)));
    this.idmap = limited(Topic.idmap(name(TopicRole.IDMAP)));
    this.deliveries = limited(Topic.deliveries(name(TopicRole.DELIVERIES)));
    this.deadLetters = limited(Topic.deadLetters(name(TopicRole.DEADLETTER)));
    this.replayRuns = limited(Topic.replayRuns(name(TopicRole.REPLAY_RUNS)));
    this.inbound = limited(Topic.inbound(name(TopicRole.INBOUND)));
    this.inboundFiles = limited(Topic.inboundFiles(name(TopicRole.INBOUND_FILES)));
    this.populations = limited(Topic.populations(name(TopicRole.POPULATIONS)));
  }

  private <V extends org.apache.avro.specific.SpecificRecord> Topic<String, V> limited(
      Topic<String, V> topic) {
    return topic.limitedTo(specs.get(topic.role()).maxRecordBytes());
  }

  /** Reads every topic's settings; problems are left in the reader for its {@code validate()}. */
  public static Topics read(ConfigReader reader) {
    Map<TopicRole, TopicSpec> specs = new EnumMap<>(TopicRole.class);
    int replicationFactor = reader.integer("topics.replication-factor", 1, Short.MAX_VALUE);
    int minInSync = reader.integer("topics.min-insync-replicas", 1, Short.MAX_VALUE);
    for (TopicRole role : TopicRole.values()) {
      String prefix = "topic." + role.key() + ".";
      String name = reader.text(prefix + "name");
      int partitions = reader.integer(prefix + "partitions", 1, 10_000);
      Optional<Duration> retention =
          role.compacted() ? Optional.empty() : retention(reader, prefix + "retention");
      Optional<Duration> minCompactionLag =
          compactionLag(reader, role, prefix + "min-compaction-lag", Duration.ZERO);
      Optional<Duration> maxCompactionLag =
          compactionLag(reader, role, prefix + "max-compaction-lag", Duration.ofMinutes(1));
      if (minCompactionLag.isPresent()
          && maxCompactionLag.isPresent()
          && maxCompactionLag.get().compareTo(minCompactionLag.get()) < 0) {
        reader.problem(
            prefix + "max-compaction-lag must be at least " + prefix + "min-compaction-lag");
      }
      int maxRecordBytes = reader.integer(prefix + "max-record-bytes", 1024, Integer.MAX_VALUE);
      int factor = ownOr(reader, prefix + "replication-factor", replicationFactor);
      int inSync = ownOr(reader, prefix + "min-insync-replicas", minInSync);
      if (inSync > factor) {
        reader.problem(
            prefix
                + "min-insync-replicas ("
                + inSync
                + ") must not exceed "
                + prefix
                + "replication-factor ("
                + factor
                + "): no write could ever count");
        inSync = factor;
      }
      specs.put(
          role,
          new TopicSpec(
              role,
              name,
              partitions,
              retention,
              minCompactionLag,
              maxCompactionLag,
              maxRecordBytes,
              new TopicSpec.Replicas((short) factor, inSync)));
    }
    long distinct = specs.values().stream().map(TopicSpec::name).distinct().count();
    if (distinct < specs.size()) {
      reader.problem(
          "topic names must differ from each other: "
              + specs.values().stream().map(TopicSpec::name).toList());
    }
    if (specs.get(TopicRole.INBOUND).partitions() != specs.get(TopicRole.IDMAP).partitions()) {
      reader.problem(
          "topic.inbound.partitions must equal topic.idmap.partitions: an inbound line meets the ID"
              + " syncs of its partner id on one partition");
    }
    return new Topics(specs);
  }

  public String name(TopicRole role) {
    return specs.get(role).name();
  }

  public Topic<String, VisitEvent> visits() {
    return visits;
  }

  public Topic<String, ProfileUpdate> segments() {
    return segments;
  }

  public Topic<String, TaxonomyEntry> taxonomy() {
    return taxonomy;
  }

  public Topic<String, IdMapping> idmap() {
    return idmap;
  }

  public Topic<String, DeliveryAttempt> deliveries() {
    return deliveries;
  }

  public Topic<String, DeadLetter> deadLetters() {
    return deadLetters;
  }

  public Topic<String, ReplayRun> replayRuns() {
    return replayRuns;
  }

  public Topic<String, InboundChunk> inbound() {
    return inbound;
  }

  public Topic<String, InboundFile> inboundFiles() {
    return inboundFiles;
  }

  public Topic<String, Population> populations() {
    return populations;
  }

  /**
   * Whether {@code topic} is one of the pipeline's own: any configured here, their {@code dmp.}
   * prefix (replay runs make {@code dmp.replay.<run>} topics), or Kafka's internal ones. Nothing a
   * taxonomy declares (a Kafka destination) may write there.
   */
  public boolean internal(String topic) {
    return reserved(topic) || specs.values().stream().anyMatch(spec -> spec.name().equals(topic));
  }

  /** Whether {@code topic} is named as the pipeline's ({@code dmp.*}) or Kafka's ({@code __*}). */
  public static boolean reserved(String topic) {
    return topic.startsWith(INTERNAL_PREFIX) || topic.startsWith("__");
  }

  public TopicSpec spec(TopicRole role) {
    return specs.get(role);
  }

  public Collection<TopicSpec> all() {
    return List.copyOf(new EnumMap<>(specs).values());
  }

  /**
   * Creates every topic that does not exist yet; existing ones are left as they are.
   *
   * @return the names of the topics this call created
   */
  public List<String> createMissing(Admin admin) throws InterruptedException, ExecutionException {
    CreateTopicsResult result =
        admin.createTopics(all().stream().map(TopicSpec::newTopic).toList());
    List<String> created = new ArrayList<>();
    for (var entry : result.values().entrySet()) {
      try {
        entry.getValue().get();
        created.add(entry.getKey());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    }
    return created;
  }

  @Override
  public String toString() {
    return all().stream()
        .map(spec -> spec.name() + "(" + spec.partitions() + ")")
        .toList()
        .toString();
  }

  /** The topic's own setting, or when it has none, the one of every topic. */
  private static int ownOr(ConfigReader reader, String key, int everyTopic) {
    return reader.optionalText(key).isPresent()
        ? reader.integer(key, 1, Short.MAX_VALUE)
        : everyTopic;
  }

  private static Optional<Duration> compactionLag(
      ConfigReader reader, TopicRole role, String key, Duration least) {
    return role.compacted() && reader.settings().get(key).isPresent()
        ? Optional.of(reader.duration(key, least, Duration.ofDays(100 * 365)))
        : Optional.empty();
  }

  private static Optional<Duration> retention(ConfigReader reader, String key) {
    if (reader
        .settings()
        .get(key)
        .map(setting -> setting.value().equalsIgnoreCase("forever"))
        .orElse(false)) {
      return Optional.empty();
    }
    return Optional.of(reader.duration(key, Duration.ofMinutes(1), Duration.ofDays(100 * 365)));
  }
}
