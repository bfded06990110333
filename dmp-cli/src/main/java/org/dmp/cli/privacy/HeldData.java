package org.dmp.cli.privacy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.dmp.avro.IdMapping;
import org.dmp.avro.Profile;
import org.dmp.qualifier.profile.QualifierTopology;
import org.dmp.qualifier.profile.TraitTimes;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.runtime.kafka.TopicSnapshot;
import org.dmp.runtime.replay.ReplayRuns;
import org.dmp.schemas.VisitorId;
import org.dmp.schemas.serde.AvroSerde;
import org.dmp.schemas.serde.RecordDecodingException;
import org.dmp.schemas.topics.Topics;

/**
 * What a cluster still holds about a data subject. Every compacted topic is read as a table (the
 * latest record per key), which is what a service restoring a state store from its changelog, or a
 * reader of the segments or id map, would see; the logs (topics with a retention) only when asked,
 * since the event log is long. A record is about the subject when its key or value holds one of the
 * subject's byte strings: that may name a record that is not (a short id can occur inside another),
 * never misses one that is.
 */
final class HeldData {
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final String PROFILES_CHANGELOG = "-" + QualifierTopology.PROFILES + "-changelog";
  private static final String PARTNER_IDS_CHANGELOG =
      "-" + QualifierTopology.PARTNER_IDS + "-changelog";

  /** Where a record is. */
  record Place(String topic, int partition, long offset) {
    @Override
    public String toString() {
      return topic + "-" + partition + "@" + offset;
    }
  }

  /**
   * Records about the subject in one topic that are not current: superseded in a compacted topic
   * (or tombstones), or anywhere in a log.
   *
   * @param goneWithin how long compaction or retention may keep them; empty: no bound
   */
  record Kept(String topic, long records, Optional<Duration> goneWithin) {}

  /**
   * @param held current records about the subject: what erasure must leave none of
   * @param marks current records that only say the subject opted out, kept so the choice holds
   * @param superseded per compacted topic, records about the subject that compaction will drop
   * @param logs per log topic, records about the subject, kept for its retention; unless the logs
   *     were read, the pipeline's logs with count -1
   * @param unfinished topics not read to their end within the time given
   */
  record Report(
      List<Place> held,
      List<Place> marks,
      List<Kept> superseded,
      List<Kept> logs,
      List<String> unfinished) {}

  private final KafkaClients kafka;
  private final Topics topics;
  private final List<byte[]> needles;
  private final Duration limit;

  /**
   * @param limit how long to read each topic at most
   */
  HeldData(KafkaClients kafka, Topics topics, List<byte[]> needles, Duration limit) {
    this.kafka = kafka;
    this.topics = topics;
    this.needles = needles;
    this.limit = limit;
  }

  /**
   * @param readLogs whether to read the logs too, not only report their retention
   */
  Report scan(boolean readLogs) throws ExecutionException, InterruptedException, TimeoutException {
    Map<String, Config> configs = topicConfigs();
    Set<String> pipelineLogs =
        topics.all().stream()
            .filter(spec -> !spec.role().compacted())
            .map(spec -> spec.name())
            .collect(Collectors.toSet());
    String runTopics = ReplayRuns.runTopicsPrefix(topics);
    Map<String, Table> tables = new TreeMap<>();
    List<Kept> logs = new ArrayList<>();
    configs.forEach(
        (name, config) -> {
          boolean compacted =
              value(config, TopicConfig.CLEANUP_POLICY_CONFIG)
                  .orElse("")
                  .contains(TopicConfig.CLEANUP_POLICY_COMPACT);
          if (compacted) {
            tables.put(
                name, new Table(true, millis(config, TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG)));
          } else if (readLogs && (pipelineLogs.contains(name) || name.startsWith(runTopics))) {
            tables.put(name, new Table(false, millis(config, TopicConfig.RETENTION_MS_CONFIG)));
          } else if (pipelineLogs.contains(name)) {
            logs.add(new Kept(name, -1, millis(config, TopicConfig.RETENTION_MS_CONFIG)));
          }
        });
    List<String> unfinished = readAll(tables);
    List<Place> held = new ArrayList<>();
    List<Place> marks = new ArrayList<>();
    List<Kept> superseded = new ArrayList<>();
    tables.forEach(
        (name, table) -> {
          table.current.values().forEach(found -> (found.mark ? marks : held).add(found.place));
          long past = table.mentions - table.current.size();
          if (past > 0) {
            (table.compacted ? superseded : logs).add(new Kept(name, past, table.goneWithin));
          }
        });
    held.sort(Comparator.comparing(Place::toString));
    marks.sort(Comparator.comparing(Place::toString));
    return new Report(held, marks, superseded, logs, unfinished);
  }

  /**
   * Reads every partition of the tables' topics at once, to the ends they had, one consumer for
   * all: a cluster has many small compacted topics (a changelog per store), and reading them in
   * turn costs a round of requests each.
   *
   * @return the topics not read to their end within the time given
   */
  private List<String> readAll(Map<String, Table> tables) {
    try (KafkaConsumer<byte[], byte[]> consumer =
        TopicSnapshot.consumer(kafka, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .listTopics(ADMIN_TIMEOUT)
          .forEach(
              (topic, infos) -> {
                if (tables.containsKey(topic)) {
                  infos.forEach(
                      info -> partitions.add(new TopicPartition(topic, info.partition())));
                }
              });
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions));
      long deadline = System.nanoTime() + limit.toNanos();
      while (System.nanoTime() < deadline) {
        ends.keySet().removeIf(partition -> consumer.position(partition) >= ends.get(partition));
        if (ends.isEmpty()) {
          break;
        }
        consumer.poll(POLL).forEach(record -> tables.get(record.topic()).add(record));
      }
      return ends.keySet().stream().map(TopicPartition::topic).distinct().sorted().toList();
    }
  }

  /** Every topic but Kafka's own, with its settings, by name. */
  private Map<String, Config> topicConfigs()
      throws ExecutionException, InterruptedException, TimeoutException {
    try (Admin admin = kafka.admin(Map.of())) {
      Set<String> names =
          admin.listTopics().names().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      Map<ConfigResource, Config> described =
          admin
              .describeConfigs(
                  names.stream()
                      .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name))
                      .toList())
              .all()
              .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      Map<String, Config> byName = new TreeMap<>();
      described.forEach((resource, config) -> byName.put(resource.name(), config));
      return byName;
    }
  }

  /**
   * A topic's records about the subject: of a compacted one, those current (the latest of their
   * key); of a log, none is current.
   */
  private final class Table {
    private final boolean compacted;
    private final Optional<Duration> goneWithin;
    private final Map<ByteBuffer, Found> current = new HashMap<>();
    private long mentions;

    Table(boolean compacted, Optional<Duration> goneWithin) {
      this.compacted = compacted;
      this.goneWithin = goneWithin;
    }

    void add(ConsumerRecord<byte[], byte[]> record) {
      if (!compacted) {
        mentions += mentions(record) ? 1 : 0;
        return;
      }
      ByteBuffer key = ByteBuffer.wrap(record.key() == null ? new byte[0] : record.key());
      if (!mentions(record)) {
        // A later record under the key supersedes what was about the subject.
        current.remove(key);
        return;
      }
      mentions++;
      if (record.value() == null) {
        current.remove(key);
      } else {
        current.put(
            key,
            new Found(
                new Place(record.topic(), record.partition(), record.offset()), isMark(record)));
      }
    }
  }

  private record Found(Place place, boolean mark) {}

  private boolean mentions(ConsumerRecord<byte[], byte[]> record) {
    return holds(record.key()) || holds(record.value());
  }

  private boolean holds(byte[] bytes) {
    if (bytes == null) {
      return false;
    }
    for (byte[] needle : needles) {
      if (indexOf(bytes, needle) >= 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a current record only says that the subject opted out: the qualifier's mark that keeps
   * a visitor's later events out, a declared id's opted-out state, or its id map entry.
   */
  private boolean isMark(ConsumerRecord<byte[], byte[]> record) {
    try {
      return isMark(record.topic(), record.value());
    } catch (RecordDecodingException e) {
      return false;
    }
  }

  private boolean isMark(String topic, byte[] value) {
    if (topic.endsWith(PROFILES_CHANGELOG)) {
      Profile profile = AvroSerde.of(Profile.class).decode(topic, value);
      return profile.getOptedOut()
          && profile.getSegments().isEmpty()
          && TraitTimes.of(profile).isEmpty()
          && profile.getPartnerIds().isEmpty()
          && profile.getRegions().isEmpty();
    }
    if (topic.endsWith(PARTNER_IDS_CHANGELOG)) {
      return new String(value, StandardCharsets.UTF_8).equals("1:");
    }
    if (topic.equals(topics.idmap().name())) {
      IdMapping mapping = topics.idmap().values().decode(topic, value);
      return VisitorId.OPTED_OUT.equals(mapping.getVisitorId()) && !mapping.getForget();
    }
    return false;
  }

  private static Optional<String> value(Config config, String name) {
    return Optional.ofNullable(config.get(name)).map(ConfigEntry::value);
  }

  /** A duration setting in milliseconds; empty when unset, negative or at Long.MAX_VALUE. */
  private static Optional<Duration> millis(Config config, String name) {
    return value(config, name)
        .map(Long::parseLong)
        .filter(ms -> ms >= 0 && ms < Long.MAX_VALUE)
        .map(Duration::ofMillis);
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int start = 0; start <= haystack.length - needle.length; start++) {
      for (int i = 0; i < needle.length; i++) {
        if (haystack[start + i] != needle[i]) {
          continue outer;
        }
      }
      return start;
    }
    return -1;
  }
}
