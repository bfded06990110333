package org.dmp.taxonomy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.dmp.avro.TaxonomyEntry;
import org.dmp.avro.TaxonomyRevision;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.runtime.kafka.TopicFollower;
import org.dmp.schemas.serde.AvroSerde;
import org.dmp.schemas.topics.Topic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class TaxonomyPublisherIT {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC);

  @Test
  void eachApplyIsARevisionAndDeletesWhatTheFileNoLongerHolds(EmbeddedKafkaBroker broker)
      throws Exception {
    String topic = UniqueNames.topic("taxonomy");
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      admin
          .createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    Taxonomy full = TaxonomyFile.sample();
    Taxonomy smaller =
        new Taxonomy(full.dataSources(), full.traits(), full.segments().subList(0, 1), List.of());

    TaxonomyPublisher.Applied first =
        TaxonomyPublisher.apply(
            KafkaClients.of(broker.bootstrapServers()),
            Topic.taxonomy(topic),
            full,
            "sample",
            CLOCK);
    TaxonomyPublisher.Applied second =
        TaxonomyPublisher.apply(
            KafkaClients.of(broker.bootstrapServers()),
            Topic.taxonomy(topic),
            smaller,
            "smaller",
            CLOCK);

    assertThat(first).isEqualTo(new TaxonomyPublisher.Applied(1, 12, List.of()));
    assertThat(second.revision()).isEqualTo(2);
    assertThat(second.removed())
        .containsExactly(
            "destination/9001",
            "destination/9002",
            "destination/9003",
            "destination/9004",
            "destination/9005",
            "segment/5002");
    TaxonomyPublisher.Current current =
        TaxonomyPublisher.current(
            KafkaClients.of(broker.bootstrapServers()), Topic.taxonomy(topic));
    assertThat(current.revision()).isEqualTo(2);
    assertThat(current.keys()).containsExactlyInAnyOrderElementsOf(smaller.entries().keySet());

    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    TopicFollower follower =
        TopicFollower.start(
            "test-reader", KafkaClients.of(broker.bootstrapServers()), topic, records::add);
    follower.caughtUp().get(60, TimeUnit.SECONDS);
    follower.close();
    ConsumerRecord<String, byte[]> last = records.get(records.size() - 1);
    assertThat(last.key()).isEqualTo("revision");
    TaxonomyRevision marker =
        (TaxonomyRevision) AvroSerde.of(TaxonomyEntry.class).decode(topic, last.value()).getItem();
    assertThat(marker.getSource()).isEqualTo("smaller");
    assertThat(marker.getEntries()).isEqualTo(smaller.entries().size());
  }
}
