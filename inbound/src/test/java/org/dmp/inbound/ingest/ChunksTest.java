package org.dmp.inbound.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.dmp.avro.InboundChunk;
import org.dmp.avro.InboundChunkLine;
import org.dmp.config.ConfigReader;
import org.dmp.config.Settings;
import org.dmp.inbound.format.InboundFileName;
import org.dmp.inbound.format.InboundLine;
import org.dmp.inbound.format.InboundLineException;
import org.dmp.schemas.topics.Topics;
import org.junit.jupiter.api.Test;

class ChunksTest {
  private static final InboundFileName FILE =
      InboundFileName.parse("ftp_dpm_20001_1764547200.sync");

  /**
   * Whatever the lines and however small the records: each line is in exactly one chunk, of the
   * partition Kafka's partitioner gives its partner id's key, after the lines of that partition
   * before it, as it was read; and no chunk is longer than the topic takes.
   */
  @Property(tries = 200)
  void everyLineArrivesOnceInItsKeysPartitionInFileOrder(
      @ForAll("lines") List<InboundLine> lines,
      @ForAll @IntRange(min = 1, max = 7) int partitions,
      @ForAll @IntRange(min = 1024, max = 8192) int maxRecordBytes) {
    Topics topics = topics(maxRecordBytes);
    List<ProducerRecord<String, byte[]>> sent = new ArrayList<>();
    Chunks chunks = new Chunks(FILE, "0123456789abcdef", false, topics, "the file", partitions);
    for (int i = 0; i < lines.size(); i++) {
      chunks.add(chunks.encode(i + 1, lines.get(i)), sent::add);
    }
    chunks.flush(sent::add);

    List<List<InboundChunkLine>> byPartition = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      byPartition.add(new ArrayList<>());
    }
    for (ProducerRecord<String, byte[]> record : sent) {
      assertThat(record.value().length).isLessThanOrEqualTo(maxRecordBytes);
      assertThat(record.key()).isEqualTo("the file");
      assertThat(record.timestamp()).isEqualTo(FILE.time().toEpochMilli());
      InboundChunk chunk = topics.inbound().values().decode(record.topic(), record.value());
      assertThat(chunk.getEventIdPrefix()).isEqualTo("file:" + FILE.name() + ":01234567:");
      assertThat(chunk.getTime()).isEqualTo(FILE.time());
      assertThat(chunk.getDataSourceId()).isEqualTo(20001L);
      assertThat(chunk.getTargetDataSourceId()).isEqualTo(20001L);
      assertThat(chunk.getOverwrite()).isFalse();
      assertThat(chunk.getVisitorIds()).isFalse();
      assertThat(chunk.getLines()).isNotEmpty();
      byPartition.get(record.partition()).addAll(chunk.getLines());
    }
    List<List<InboundChunkLine>> expected = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      expected.add(new ArrayList<>());
    }
    for (int i = 0; i < lines.size(); i++) {
      InboundLine line = lines.get(i);
      byte[] key = ("20001/" + line.userId()).getBytes(StandardCharsets.UTF_8);
      expected
          .get(BuiltInPartitioner.partitionForKey(key, partitions))
          .add(
              new InboundChunkLine(
                  (long) i + 1, line.userId(), line.realized(), line.removed(), line.signals()));
    }
    assertThat(byPartition).isEqualTo(expected);
  }

  @Test
  void aLineLongerThanARecordMayBeIsRefusedWithItsSize() {
    Chunks chunks = new Chunks(FILE, "0123456789abcdef", false, topics(1024), "f", 1);
    InboundLine line =
        new InboundLine("crm-1", List.of(), List.of(), Map.of("k", List.of("v".repeat(2000))));

    assertThatThrownBy(() -> chunks.add(chunks.encode(1, line), record -> {}))
        .isInstanceOf(InboundLineException.class)
        .hasMessageMatching(
            "the line is too long: it takes 20[0-9][0-9] bytes encoded, more than the [0-9]+ that"
                + " a record of dmp.inbound may hold with the file's fields");
  }

  private static Topics topics(int maxRecordBytes) {
    return Topics.read(
        new ConfigReader(
            Settings.load(
                "test",
                List.of(Topics.DEFAULTS),
                Map.of(),
                List.of("--topic.inbound.max-record-bytes=" + maxRecordBytes),
                Map.of())));
  }

  @Provide
  Arbitrary<List<InboundLine>> lines() {
    Arbitrary<String> users =
        Arbitraries.strings().withChars("abcé0123-").ofMinLength(1).ofMaxLength(12);
    Arbitrary<List<Long>> traits =
        Arbitraries.longs().between(1, Long.MAX_VALUE).list().ofMaxSize(4);
    Arbitrary<Map<String, List<String>>> signals =
        Arbitraries.maps(
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(6),
                Arbitraries.strings().ofMaxLength(30).list().ofMinSize(1).ofMaxSize(3))
            .ofMaxSize(3)
            .map(LinkedHashMap::new);
    return Combinators.combine(users, traits, traits, signals)
        .as(InboundLine::new)
        .list()
        .ofMaxSize(300);
  }
}
