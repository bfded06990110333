package org.dmp.qualifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class QualifierConfigTest {
  private static final String TRANSACTION_TIMEOUT =
      StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);

  @Test
  void aReplayCommitsRarelyWithATransactionThatOutlastsItsCommits() {
    Properties live = read().streamsProperties();
    Properties replay = read().replayStreamsProperties();

    assertThat(live.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(100);
    assertThat(replay.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(30_000);
    assertThat(read().replayCacheMegabytes()).isEqualTo(512);
    assertThat(replay.get(TRANSACTION_TIMEOUT)).isEqualTo(90_000);
    assertThat(live.get(TRANSACTION_TIMEOUT)).as("Kafka Streams' own").isNull();
  }

  @Test
  void aReplayRunsAStreamThreadPerCoreUnlessTold() {
    assertThat(read().replayStreamsProperties().get(StreamsConfig.NUM_STREAM_THREADS_CONFIG))
        .isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(
            read("--qualifier.replay-stream-threads=3")
                .replayStreamsProperties()
                .get(StreamsConfig.NUM_STREAM_THREADS_CONFIG))
        .isEqualTo(3);
    assertThat(read().streamsProperties().get(StreamsConfig.NUM_STREAM_THREADS_CONFIG))
        .as("the live qualifier's")
        .isEqualTo(1);
  }

  @Test
  void aReplayThatCommitsOftenKeepsKafkaStreamsTenSecondTransactions() {
    Properties replay = read("--qualifier.replay-commit-interval=100ms").replayStreamsProperties();

    assertThat(replay.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(100);
    assertThat(replay.get(TRANSACTION_TIMEOUT)).isEqualTo(10_000);
  }

  @Test
  void aReplayCommitIntervalLongerThanBrokersLetTransactionsLastIsRefused() {
    assertThatThrownBy(() -> read("--qualifier.replay-commit-interval=10m"))
        .hasMessageContaining("qualifier.replay-commit-interval");
  }

  private static QualifierConfig read(String... flags) {
    return QualifierConfig.SETTINGS.read(
        Map.of(),
        Stream.concat(Stream.of("--kafka.bootstrap=127.0.0.1:9092"), Stream.of(flags)).toList(),
        QualifierConfig::read);
  }
}
