package org.dmp.taxonomy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.dmp.avro.Destination;
import org.dmp.avro.DestinationType;
import org.dmp.avro.KafkaTarget;
import org.dmp.avro.Segment;
import org.dmp.avro.TaxonomyEntry;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.topics.Topic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class TaxonomyViewIT {
  @Test
  void recordsThatCannotBeReadAreSkippedAndTheRevisionsAfterThemComeIntoForce(
      EmbeddedKafkaBroker broker) throws Exception {
    KafkaClients kafka = KafkaClients.of(broker.bootstrapServers());
    Topic<String, TaxonomyEntry> topic = withSample(kafka);
    Taxonomy sample = TaxonomyFile.sample();

    Topic<String, TaxonomyEntry> limited = topic.limitedTo(4096);
    TaxonomyEntry tooLong = sample.entries().get("segment/5001");
    ((Segment) tooLong.getItem()).setName("x".repeat(5000));
    byte[] foreign = Arrays.copyOf(topic.values().encode(sample.entries().get("segment/5002")), 40);
    Arrays.fill(foreign, 2, 10, (byte) 0x5A);
    try (KafkaProducer<String, byte[]> producer =
        kafka.producer(Map.of(), new StringSerializer(), new ByteArraySerializer())) {
      producer.send(
          new ProducerRecord<>(
              topic.name(), "segment/5001", "junk".getBytes(StandardCharsets.UTF_8)));
      producer.send(new ProducerRecord<>(topic.name(), "segment/5002", foreign));
      producer.send(
          new ProducerRecord<>(topic.name(), "segment/5001", limited.values().encode(tooLong)));
      producer.flush();
    }
    List<Segment> segments = new ArrayList<>(TaxonomyFile.sample().segments());
    segments.add(new Segment(5003L, "Any shoe page", null, "[101T]"));
    TaxonomyPublisher.apply(
        kafka,
        topic,
        new Taxonomy(sample.dataSources(), sample.traits(), segments, sample.destinations()),
        "with 5003",
        Clock.systemUTC());

    try (TaxonomyView view = TaxonomyView.follow("test-view", kafka, limited)) {
      view.caughtUp().get(60, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(30)).until(() -> view.revision() == 2);
      assertThat(view.get().source().segments())
          .extracting(Segment::getId, Segment::getName)
          .as("what could not be read left the items before it as they were")
          .contains(
              org.assertj.core.groups.Tuple.tuple(5001L, "Shoe fans"),
              org.assertj.core.groups.Tuple.tuple(5003L, "Any shoe page"));
    }
  }

  @Test
  void aRevisionWrittenByHandThatBreaksTheRulesOfTheFileIsRefused(EmbeddedKafkaBroker broker)
      throws Exception {
    KafkaClients kafka = KafkaClients.of(broker.bootstrapServers());
    Topic<String, TaxonomyEntry> topic = withSample(kafka);
    Taxonomy sample = TaxonomyFile.sample();
    // Published as records, past every check that dmp taxonomy apply makes on a file.
    List<Segment> ghost = new ArrayList<>(sample.segments());
    ghost.add(new Segment(5004L, "Ghost", null, "[999T]"));
    List<Destination> intoThePipeline = new ArrayList<>(sample.destinations());
    intoThePipeline.add(
        Destination.newBuilder()
            .setId(9100L)
            .setName("into the event log")
            .setType(DestinationType.KAFKA)
            .setDataSourceId(20001L)
            .setMappings(Map.of("5001", "5001"))
            .setKafka(new KafkaTarget("dmp.visits"))
            .build());
    TaxonomyPublisher.apply(
        kafka,
        topic,
        new Taxonomy(sample.dataSources(), sample.traits(), ghost, intoThePipeline),
        "by hand",
        Clock.systemUTC());

    try (TaxonomyView view = TaxonomyView.follow("test-view", kafka, topic)) {
      view.caughtUp().get(60, TimeUnit.SECONDS);
      assertThat(view.revision()).as("revision 2 refused, 1 stays in force").isEqualTo(1);
      assertThat(view.get().source().destinations())
          .extracting(Destination::getId)
          .doesNotContain(9100L);

      List<Segment> fixed = new ArrayList<>(sample.segments());
      fixed.add(new Segment(5003L, "Any shoe page", null, "[101T]"));
      TaxonomyPublisher.apply(
          kafka,
          topic,
          new Taxonomy(sample.dataSources(), sample.traits(), fixed, sample.destinations()),
          "fixed",
          Clock.systemUTC());
      await().atMost(Duration.ofSeconds(30)).until(() -> view.revision() == 3);
      assertThat(view.get().source().segments()).extracting(Segment::getId).contains(5003L);
    }
  }

  /** A new taxonomy topic, with the sample taxonomy applied as revision 1. */
  private static Topic<String, TaxonomyEntry> withSample(KafkaClients kafka) throws Exception {
    Topic<String, TaxonomyEntry> topic = Topic.taxonomy(UniqueNames.topic("taxonomy"));
    try (Admin admin = kafka.admin(Map.of())) {
      admin
          .createTopics(List.of(new NewTopic(topic.name(), 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    TaxonomyPublisher.apply(kafka, topic, TaxonomyFile.sample(), "sample", Clock.systemUTC());
    return topic;
  }
}
