package org.dmp.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaBrokerExtension.class)
class EmbeddedKafkaBrokerIT {

  @Test
  void sharedBrokerTakesAndGivesBackRecords(EmbeddedKafkaBroker broker) throws Exception {
    String topic = UniqueNames.topic("roundtrip");
    produce(broker, topic, "k", "v");

    assertThat(consumeAll(broker, topic, 1)).containsExactly("k=v");
    assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
  }

  @Test
  void keepsRecordsAcrossARestartOnTheSameFolder(@TempDir Path dataDir) throws Exception {
    String topic = UniqueNames.topic("restart");
    try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start(dataDir, 0, Map.of())) {
      produce(first, topic, "before", "restart");
    }
    try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.start(dataDir, 0, Map.of())) {
      assertThat(consumeAll(second, topic, 1)).containsExactly("before=restart");
    }
  }

  @Test
  void refusesAPortOutOfRange(@TempDir Path dataDir) {
    assertThatThrownBy(() -> EmbeddedKafkaBroker.start(dataDir, 70_000, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("70000");
  }

  private static void produce(EmbeddedKafkaBroker broker, String topic, String key, String value)
      throws Exception {
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all");
    try (var producer =
        new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
    }
  }

  private static List<String> consumeAll(EmbeddedKafkaBroker broker, String topic, int expected) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG, UniqueNames.group("reader"),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> seen = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    try (var consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      while (seen.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          seen.add(record.key() + "=" + record.value());
        }
      }
    }
    return seen;
  }
}
