package org.dmp.cli;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Reads a topic without joining a consumer group, so watching a topic never moves anybody's
 * committed offsets nor leaves a group behind.
 */
@Command(
    name = "tail",
    description = {
      "Prints a topic's records, one JSON object per line: topic, partition, offset, timestamp, key, value.",
      "Avro values are decoded by their schema fingerprint; a record that cannot be decoded gets an \"error\" field.",
      "Without --max or --timeout it follows the topic until Ctrl-C. A missing topic is waited for, not an error."
    })
final class TailCommand implements Callable<Integer> {
  private static final Duration POLL = Duration.ofMillis(200);

  @Spec private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to read.")
  private String topic;

  @Mixin private KafkaBootstrap kafka;

  @Option(
      names = "--from-beginning",
      description = "Start at the oldest record instead of only new ones.")
  private boolean fromBeginning;

  @Option(
      names = "--ticks",
      description =
          "Print the visits topic's ticks too (records that carry only time, one per partition each second).")
  private boolean showTicks;

  @Option(names = "--max", paramLabel = "N", description = "Exit after N records.")
  private Long max;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "Exit when no record has arrived for this many seconds.")
  private Long timeoutSeconds;

  @Override
  public Integer call() {
    if (max != null && max < 1) {
      throw new ParameterException(spec.commandLine(), "--max must be at least 1, was " + max);
    }
    if (timeoutSeconds != null && timeoutSeconds < 1) {
      throw new ParameterException(
          spec.commandLine(), "--timeout must be at least 1 second, was " + timeoutSeconds);
    }
    PrintWriter out = spec.commandLine().getOut();
    Duration idleLimit = timeoutSeconds == null ? null : Duration.ofSeconds(timeoutSeconds);
    long printed = 0;
    long lastRecordAt = System.nanoTime();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      while (max == null || printed < max) {
        if (idleLimit != null && System.nanoTime() - lastRecordAt >= idleLimit.toNanos()) {
          break;
        }
        if (consumer.assignment().isEmpty() && !assignAll(consumer)) {
          continue;
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          lastRecordAt = System.nanoTime();
          JsonObject json = RecordJson.format(record);
          if (!showTicks && RecordJson.isTick(json)) {
            continue;
          }
          out.println(json.encode());
          if (max != null && ++printed >= max) {
            break;
          }
        }
        out.flush();
      }
    }
    out.flush();
    return 0;
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.CLIENT_ID_CONFIG,
            "dmp-tail",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false,
            // Watching a topic that does not exist yet must not create it with broker defaults.
            ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
            false,
            ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            1_000);
    return kafka
        .clients()
        .consumer(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Assigns every partition of the topic; false while the topic does not exist or Kafka does not
   * answer.
   */
  private boolean assignAll(KafkaConsumer<byte[], byte[]> consumer) {
    List<PartitionInfo> partitions;
    try {
      partitions = consumer.partitionsFor(topic, POLL.multipliedBy(5));
    } catch (TimeoutException e) {
      return false;
    }
    if (partitions == null || partitions.isEmpty()) {
      sleep(POLL);
      return false;
    }
    List<TopicPartition> assigned =
        partitions.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
    consumer.assign(assigned);
    if (fromBeginning) {
      consumer.seekToBeginning(assigned);
    } else {
      consumer.seekToEnd(assigned);
    }
    return true;
  }

  private static void sleep(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
