package org.dmp.qualifier.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler.ProcessingHandlerResponse;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.ProductionExceptionHandlerResponse;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.runtime.kafka.Rejections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The qualifier's answers to an output too large to write and to a processing failure: the input is
 * set aside with the reason and processing goes on; any other failure to write still fails the
 * task, since going on would lose the output.
 */
@ExtendWith(KafkaBrokerExtension.class)
class SetAsideIT {
  /** Where Kafka Streams says the failing record came from. */
  private record Source(
      String topic, int partition, long offset, byte[] sourceRawKey, byte[] sourceRawValue)
      implements ErrorHandlerContext {
    @Override
    public Headers headers() {
      return new RecordHeaders();
    }

    @Override
    public String processorNodeId() {
      return QualifierTopology.QUALIFY;
    }

    @Override
    public TaskId taskId() {
      return new TaskId(0, partition);
    }

    @Override
    public long timestamp() {
      return 0;
    }
  }

  @Test
  void anOutputTooLargeAndAFailedProcessingSetTheirInputAsideAndGoOn(EmbeddedKafkaBroker broker)
      throws Exception {
    KafkaClients kafka = KafkaClients.of(broker.bootstrapServers());
    String rejectedTopic = UniqueNames.topic("rejected");
    try (Admin admin = kafka.admin(Map.of())) {
      admin
          .createTopics(List.of(new NewTopic(rejectedTopic, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    byte[] key = "4242".getBytes(StandardCharsets.UTF_8);
    byte[] input = "the visit".getBytes(StandardCharsets.UTF_8);
    ProducerRecord<byte[], byte[]> output =
        new ProducerRecord<>("segments", key, new byte[2_000_000]);
    try (Rejections rejections = new Rejections(kafka, rejectedTopic, "qualifier-test")) {
      SetAside handler = new SetAside();
      handler.configure(Map.of(SetAside.REJECTIONS, rejections));

      assertThat(
              handler.handle(
                  new Source("visits", 3, 17, key, input),
                  output,
                  new RecordTooLargeException("too large")))
          .isEqualTo(ProductionExceptionHandlerResponse.CONTINUE);
      assertThat(
              handler.handle(
                  new Source("visits", 3, 18, key, input),
                  new Record<>("4242", "the visit", 0L),
                  new IllegalStateException("a bug")))
          .isEqualTo(ProcessingHandlerResponse.CONTINUE);
      assertThat(
              handler.handle(
                  new Source("visits", 3, 19, key, input), output, new TimeoutException("slow")))
          .as("an output that could be written later is not given up on")
          .isEqualTo(ProductionExceptionHandlerResponse.FAIL);
    }

    List<ConsumerRecord<String, byte[]>> rejected = new ArrayList<>();
    try (var consumer =
        kafka.consumer(
            Map.of(
                ConsumerConfig.GROUP_ID_CONFIG,
                UniqueNames.group("rejected"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(rejectedTopic));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(rejected::add);
                return rejected.size() >= 2;
              });
    }
    assertThat(rejected)
        .extracting(
            ConsumerRecord::key,
            record -> header(record, Rejections.OFFSET),
            record -> header(record, Rejections.REASON))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "4242",
                "17",
                "its output to segments (2000000 bytes) is too large to write: too large"),
            org.assertj.core.groups.Tuple.tuple(
                "4242", "18", "processing it failed: java.lang.IllegalStateException: a bug"));
    assertThat(rejected).allSatisfy(record -> assertThat(record.value()).isEqualTo(input));
  }

  private static String header(ConsumerRecord<?, ?> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
