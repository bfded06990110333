package org.dmp.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.dmp.config.ConfigException;
import org.dmp.config.ConfigReader;
import org.dmp.config.Settings;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void defaultsAreTheNamesOfTheDesign() {
    Topics topics = read(Map.of(), List.of());

    assertThat(topics.all())
        .extracting(TopicSpec::name)
        .containsExactly(
            "dmp.visits",
            "dmp.visits.rejected",
            "dmp.segments",
            "dmp.taxonomy",
            "dmp.idmap",
            "dmp.deliveries",
            "dmp.deadletter",
            "dmp.replay.runs",
            "dmp.inbound",
            "dmp.inbound.files",
            "dmp.populations");
    assertThat(topics.spec(TopicRole.VISITS).retention()).contains(Duration.ofDays(90));
    assertThat(topics.spec(TopicRole.DEADLETTER).retention()).isEmpty();
  }

  @Test
  void compactedTopicsAreCreatedCompactedAndLogsWithRetention() {
    Topics topics =
        read(Map.of("DMP_TOPIC_SEGMENTS_PARTITIONS", "3"), List.of("--topic.visits.retention=7d"));

    NewTopic segments = topics.spec(TopicRole.SEGMENTS).newTopic();
    assertThat(segments.numPartitions()).isEqualTo(3);
    assertThat(segments.configs())
        .containsEntry("cleanup.policy", "compact")
        .as("a lagging destination still gets every change")
        .containsEntry("min.compaction.lag.ms", Long.toString(Duration.ofDays(7).toMillis()));
    assertThat(topics.spec(TopicRole.TAXONOMY).newTopic().configs())
        .doesNotContainKey("min.compaction.lag.ms");
    assertThat(topics.spec(TopicRole.VISITS).newTopic().configs())
        .containsEntry("retention.ms", "604800000");
    assertThat(topics.spec(TopicRole.DEADLETTER).newTopic().configs())
        .containsEntry("retention.ms", "-1");
  }

  @Test
  void replicasAreSetForEveryTopicAndATopicMaySetItsOwn() {
    assertThat(read(Map.of(), List.of()).spec(TopicRole.VISITS).newTopic().replicationFactor())
        .as("the single-node broker's")
        .isEqualTo((short) 1);

    Topics topics =
        read(
            Map.of("DMP_TOPICS_REPLICATION_FACTOR", "3", "DMP_TOPICS_MIN_INSYNC_REPLICAS", "2"),
            List.of(
                "--topic.deliveries.replication-factor=2",
                "--topic.deliveries.min-insync-replicas=1"));

    NewTopic visits = topics.spec(TopicRole.VISITS).newTopic();
    assertThat(visits.replicationFactor()).isEqualTo((short) 3);
    assertThat(visits.configs()).containsEntry("min.insync.replicas", "2");
    NewTopic deliveries = topics.spec(TopicRole.DELIVERIES).newTopic();
    assertThat(deliveries.replicationFactor()).isEqualTo((short) 2);
    assertThat(deliveries.configs()).containsEntry("min.insync.replicas", "1");
    assertThatThrownBy(() -> read(Map.of(), List.of("--topic.segments.min-insync-replicas=2")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "topic.segments.min-insync-replicas (2) must not exceed topic.segments.replication-factor (1)");
  }

  @Test
  void aSupersededRecordMayStayNoLongerThanEveryRecordMustStay() {
    assertThat(read(Map.of(), List.of()).spec(TopicRole.SEGMENTS).newTopic().configs())
        .as("an erased visitor's records leave the disk within it")
        .containsEntry("max.compaction.lag.ms", Long.toString(Duration.ofDays(14).toMillis()));
    assertThatThrownBy(() -> read(Map.of(), List.of("--topic.segments.max-compaction-lag=1d")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "topic.segments.max-compaction-lag must be at least topic.segments.min-compaction-lag");
  }

  @Test
  void inboundLinesMustMeetTheirIdSyncsOnOnePartition() {
    assertThatThrownBy(() -> read(Map.of(), List.of("--topic.inbound.partitions=3")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("topic.inbound.partitions must equal topic.idmap.partitions");
  }

  @Test
  void badTopicSettingsAreAllReported() {
    assertThatThrownBy(
            () ->
                read(
                    Map.of("DMP_TOPIC_IDMAP_NAME", "dmp.visits"),
                    List.of("--topic.visits.partitions=0", "--topic.deliveries.retention=often")))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactlyInAnyOrder(
                        "topic.visits.partitions='0' (from --topic.visits.partitions): must be between 1 and 10000",
                        "topic.deliveries.retention='often' (from --topic.deliveries.retention): must be a duration such as 250ms, 5s, 2m, 24h, 7d or PT5S",
                        "topic names must differ from each other: [dmp.visits, dmp.visits.rejected, dmp.segments, dmp.taxonomy, dmp.visits, dmp.deliveries, dmp.deadletter, dmp.replay.runs, dmp.inbound, dmp.inbound.files, dmp.populations]"));
  }

  @Test
  void specRefusesMissingParts() {
    assertThatThrownBy(
            () ->
                new TopicSpec(
                    TopicRole.VISITS,
                    null,
                    1,
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    1024,
                    new TopicSpec.Replicas((short) 1, 1)))
        .isInstanceOf(NullPointerException.class);
  }

  private static Topics read(Map<String, String> env, List<String> args) {
    ConfigReader reader =
        new ConfigReader(Settings.load("topics", List.of(Topics.DEFAULTS), env, args, Map.of()));
    Topics topics = Topics.read(reader);
    reader.validate();
    return topics;
  }
}
