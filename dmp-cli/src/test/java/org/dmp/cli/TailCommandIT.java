package org.dmp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.dmp.avro.EventSource;
import org.dmp.avro.VisitEvent;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.schemas.Ticks;
import org.dmp.schemas.serde.AvroSerde;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

@ExtendWith(KafkaBrokerExtension.class)
class TailCommandIT {

  @Test
  void printsEveryRecordAsJsonAndMarksTheOneItCannotDecode(EmbeddedKafkaBroker broker)
      throws Exception {
    String topic = UniqueNames.topic("tail");
    VisitEvent visit =
        VisitEvent.newBuilder()
            .setEventId("e-1")
            .setVisitorId("123")
            .setTime(Instant.ofEpochMilli(1_700_000_000_000L))
            .setSource(EventSource.EDGE)
            .setSignals(Map.of("c_category", List.of("shoes")))
            .build();
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      producer
          .send(new ProducerRecord<>(topic, "123", AvroSerde.of(VisitEvent.class).encode(visit)))
          .get();
      producer
          .send(
              new ProducerRecord<>(
                  topic,
                  null,
                  AvroSerde.of(VisitEvent.class).encode(Ticks.at(visit.getTime().plusSeconds(1)))))
          .get();
      producer.send(new ProducerRecord<>(topic, "bad", new byte[] {1, 2, 3})).get();
      producer.send(new ProducerRecord<>(topic, "gone", null)).get();
    }

    Run run =
        dmp(
            "tail",
            topic,
            "--bootstrap",
            broker.bootstrapServers(),
            "--from-beginning",
            "--max",
            "3");

    assertThat(run.exitCode()).isZero();
    List<JsonObject> lines = run.out().lines().map(JsonObject::new).toList();
    assertThat(lines).hasSize(3);
    JsonObject first = lines.get(0);
    assertThat(first.fieldNames())
        .containsExactly("topic", "partition", "offset", "timestamp", "key", "value");
    assertThat(first.getString("topic")).isEqualTo(topic);
    assertThat(first.getLong("offset")).isZero();
    assertThat(first.getString("key")).isEqualTo("123");
    assertThat(first.getJsonObject("value").getString("visitorId")).isEqualTo("123");
    assertThat(
            first
                .getJsonObject("value")
                .getJsonObject("signals")
                .getJsonArray("c_category")
                .getString(0))
        .isEqualTo("shoes");
    assertThat(lines.get(1).getString("error")).contains("does not start with the marker");
    assertThat(lines.get(1).getInteger("valueBytes")).isEqualTo(3);
    assertThat(lines.get(2).containsKey("value")).isTrue();
    assertThat(lines.get(2).getValue("value")).isNull();

    Run withTicks =
        dmp(
            "tail",
            topic,
            "--bootstrap",
            broker.bootstrapServers(),
            "--from-beginning",
            "--ticks",
            "--max",
            "2");
    assertThat(withTicks.out().lines().map(JsonObject::new).toList())
        .last()
        .satisfies(
            tick -> {
              assertThat(tick.getValue("key")).isNull();
              assertThat(tick.getJsonObject("value").getString("source")).isEqualTo("TICK");
            });
  }

  @Test
  void aMissingTopicIsNoErrorAndTheTimeoutEndsTheWait(EmbeddedKafkaBroker broker) {
    Run run =
        dmp(
            "tail",
            UniqueNames.topic("never-written"),
            "--bootstrap",
            broker.bootstrapServers(),
            "--timeout",
            "1");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEmpty();
  }

  @Test
  void badOptionsAreNamed() {
    Run run = dmp("tail", "t", "--max", "0");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--max must be at least 1, was 0");
  }

  @Test
  void taxonomyValidateNamesEveryProblemAndExits1(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("t.json");
    java.nio.file.Files.writeString(
        file,
        "{\"traits\": [{\"id\": 1, \"name\": \"x\", \"dataSource\": 2, \"type\": \"rule\", \"rule\": \"a ==\"}]}");

    Run run = dmp("taxonomy", "validate", file.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .contains("has 2 problems")
        .contains("$.traits[0].rule: at column 5: expected a value")
        .contains(
            "$.traits[0].dataSource: refers to data source 2, which the file does not define");
  }

  record Run(int exitCode, String out, String err) {}

  static Run dmp(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Dmp.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new Run(exitCode, out.toString(), err.toString());
  }
}
