package org.dmp.qualifier;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.dmp.config.ConfigReader;
import org.dmp.config.SettingsSpec;
import org.dmp.qualifier.profile.ProfileBounds;
import org.dmp.runtime.CommonConfig;

/** The qualifier's configuration, read once from qualifier.properties, DMP_ variables and flags. */
public record QualifierConfig(
    CommonConfig common,
    String advertisedHost,
    String applicationId,
    Path stateDir,
    int streamThreads,
    Optional<String> instanceId,
    Duration sessionTimeout,
    Duration commitInterval,
    Duration changelogMaxCompactionLag,
    ProfileBounds profileBounds,
    Duration tickInterval,
    Duration grace,
    Duration timeLagWarning,
    int queryMaxWaiting,
    Duration inboundWaitTtl,
    int inboundWaitMaxPerId,
    Duration populationsEvery,
    Duration replayCommitInterval,
    int replayCacheMegabytes,
    int replayStreamThreads) {

  public static final SettingsSpec SETTINGS = CommonConfig.spec("qualifier");

  public QualifierConfig {
    Objects.requireNonNull(common, "common");
    Objects.requireNonNull(advertisedHost, "advertisedHost");
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(changelogMaxCompactionLag, "changelogMaxCompactionLag");
    Objects.requireNonNull(profileBounds, "profileBounds");
    Objects.requireNonNull(tickInterval, "tickInterval");
    Objects.requireNonNull(grace, "grace");
    Objects.requireNonNull(timeLagWarning, "timeLagWarning");
    Objects.requireNonNull(populationsEvery, "populationsEvery");
    Objects.requireNonNull(replayCommitInterval, "replayCommitInterval");
  }

  /** Whether this instance writes ticks (a zero interval: something else does). */
  public boolean ticks() {
    return !tickInterval.isZero();
  }

  /** The Kafka Streams settings: exactly_once_v2, and the rest from this configuration. */
  public Properties streamsProperties() {
    return streamsProperties(null);
  }

  /**
   * @param advertisedPort the port this instance's query API listens on, published to the others;
   *     null if none
   */
  public Properties streamsProperties(Integer advertisedPort) {
    Map<String, Object> properties = new HashMap<>();
    properties.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
    properties.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads);
    properties.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, (int) commitInterval.toMillis());
    properties.put(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
        (int) sessionTimeout.toMillis());
    instanceId.ifPresent(
        id ->
            properties.put(
                StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), id));
    // The broker answers a fetch once 16 KB are there or 5 ms have passed, not at the first record:
    // at a few thousand events a second, a fetch per record cost more CPU than the records.
    properties.put(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MIN_BYTES_CONFIG), 16 * 1024);
    properties.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 5);
    // The stores' changelogs are compacted topics: an erased visitor's records superseded by its
    // opt-out mark, or deleted, leave the disk within this.
    properties.put(
        StreamsConfig.topicPrefix(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG),
        changelogMaxCompactionLag.toMillis());
    if (advertisedPort != null) {
      properties.put(
          StreamsConfig.APPLICATION_SERVER_CONFIG, advertisedHost + ":" + advertisedPort);
    }
    return common.kafka().properties(properties);
  }

  /**
   * The settings of a replay's shadow (the same topology, under the run's application id): it
   * commits every {@link #replayCommitInterval}, and holds the profiles it writes in between (up to
   * {@link #replayCacheMegabytes}, see the shadow's topology), so that a visitor's many events in
   * one commit write its profile to RocksDB and to the changelog once. Nobody waits for its
   * updates, and a run killed resumes from its last commit. It runs {@link #replayStreamThreads}
   * stream threads, one per core when 0.
   */
  public Properties replayStreamsProperties() {
    Properties properties = streamsProperties();
    properties.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, (int) replayCommitInterval.toMillis());
    properties.put(
        StreamsConfig.NUM_STREAM_THREADS_CONFIG,
        replayStreamThreads == 0
            ? Runtime.getRuntime().availableProcessors()
            : replayStreamThreads);
    // A transaction lasts a commit interval, which Kafka Streams' default timeout (10 s) may not
    // cover. No longer than that either: a run killed midway resumes only once the broker has
    // aborted its open transaction, at this timeout.
    properties.put(
        StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
        (int) Math.max(10_000, 3 * replayCommitInterval.toMillis()));
    // A commit writes every profile held, ids and times that compress well: the broker takes the
    // commit's burst sooner, and the changelogs take less room.
    properties.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
    return properties;
  }

  public static QualifierConfig read(ConfigReader reader) {
    return new QualifierConfig(
        CommonConfig.read(reader),
        reader.text("qualifier.advertised-host"),
        reader.text("qualifier.application-id"),
        reader.path("qualifier.state-dir"),
        reader.integer("qualifier.stream-threads", 1, 64),
        reader.optionalText("qualifier.instance-id"),
        reader.duration("qualifier.session-timeout", Duration.ofSeconds(6), Duration.ofMinutes(30)),
        reader.duration("qualifier.commit-interval", Duration.ofMillis(10), Duration.ofMinutes(10)),
        reader.duration(
            "qualifier.changelog-max-compaction-lag", Duration.ofMinutes(1), Duration.ofDays(3650)),
        new ProfileBounds(
            reader.integer("qualifier.max-realizations-per-trait", 1, 100_000),
            reader.integer("qualifier.max-realizations-per-profile", 1, 10_000_000),
            reader.integer("qualifier.max-partner-ids", 1, 100_000),
            reader.integer("qualifier.max-profile-bytes", 1024, 64 * 1024 * 1024)),
        reader.duration("qualifier.tick-interval", Duration.ZERO, Duration.ofHours(1)),
        reader.duration("qualifier.grace", Duration.ZERO, Duration.ofDays(1)),
        reader.duration("qualifier.time-lag-warning", Duration.ofSeconds(1), Duration.ofDays(30)),
        reader.integer("query.max-waiting", 0, 1_000_000),
        reader.duration("qualifier.inbound-wait-ttl", Duration.ofMinutes(1), Duration.ofDays(3650)),
        reader.integer("qualifier.inbound-wait-max-per-id", 1, 1_000_000),
        reader.duration("qualifier.populations-every", Duration.ofMillis(100), Duration.ofHours(1)),
        // At most a third of the broker's longest transaction (15 minutes by default).
        reader.duration(
            "qualifier.replay-commit-interval", Duration.ofMillis(10), Duration.ofMinutes(5)),
        reader.integer("qualifier.replay-cache-mb", 0, 1 << 16),
        reader.integer("qualifier.replay-stream-threads", 0, 64));
  }
}
