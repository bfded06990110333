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

  private final Map<TopicRole, TopicSpec> specs;

  private Topics(Map<TopicRole, TopicSpec> specs) {
    this.specs = Map.copyOf(specs);
  }

  /** Reads every topic's settings; problems are left in the reader for its {@code validate()}. */
  public static Topics read(ConfigReader reader) {
    Map<TopicRole, TopicSpec> specs = new EnumMap<>(TopicRole.class);
    for (TopicRole role : TopicRole.values()) {
      String prefix = "topic." + role.key() + ".";
      String name = reader.text(prefix + "name");
      int partitions = reader.integer(prefix + "partitions", 1, 10_000);
      Optional<Duration> retention =
          role.compacted() ? Optional.empty() : retention(reader, prefix + "retention");
      String lagKey = prefix + "min-compaction-lag";
      Optional<Duration> minCompactionLag =
          role.compacted() && reader.settings().get(lagKey).isPresent()
              ? Optional.of(reader.duration(lagKey, Duration.ZERO, Duration.ofDays(100 * 365)))
              : Optional.empty();
      specs.put(role, new TopicSpec(role, name, partitions, retention, minCompactionLag));
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
    return Topic.visits(name(TopicRole.VISITS));
  }

  public Topic<String, ProfileUpdate> segments() {
    return Topic.segments(name(TopicRole.SEGMENTS));
  }

  public Topic<String, TaxonomyEntry> taxonomy() {
    return Topic.taxonomy(name(TopicRole.TAXONOMY));
  }

  public Topic<String, IdMapping> idmap() {
    return Topic.idmap(name(TopicRole.IDMAP));
  }

  public Topic<String, DeliveryAttempt> deliveries() {
    return Topic.deliveries(name(TopicRole.DELIVERIES));
  }

  public Topic<String, DeadLetter> deadLetters() {
    return Topic.deadLetters(name(TopicRole.DEADLETTER));
  }

  public Topic<String, ReplayRun> replayRuns() {
    return Topic.replayRuns(name(TopicRole.REPLAY_RUNS));
  }

  public Topic<String, VisitEvent> inbound() {
    return Topic.inbound(name(TopicRole.INBOUND));
  }

  public Topic<String, org.dmp.avro.InboundFile> inboundFiles() {
    return Topic.inboundFiles(name(TopicRole.INBOUND_FILES));
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
