package org.dmp.inbound.ingest;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.dmp.avro.InboundChunk;
import org.dmp.inbound.format.InboundFileName;
import org.dmp.inbound.format.InboundLine;
import org.dmp.inbound.format.InboundLineException;
import org.dmp.schemas.IdMapKey;
import org.dmp.schemas.VisitorId;
import org.dmp.schemas.topics.Topic;
import org.dmp.schemas.topics.Topics;

/**
 * One file's lines on their way to {@code dmp.inbound}: gathered per partition, in file order, into
 * {@link InboundChunk}s as long as the topic's records may be, each written when full or when the
 * transaction that covers it commits. A line goes to the partition its user's key falls in as
 * Kafka's default partitioner places keys, the partition the id map holds that partner id in (the
 * topics have as many partitions), so the qualifier's task for that partition resolves it; one
 * user's lines stay in one partition, in order.
 *
 * <p>Each line is encoded once, as it is read (on the thread that reads the file), and its bytes
 * added to its partition's: building a record per line and handing it to Avro's writer took as long
 * as reading and parsing the line. A chunk's bytes are then the file's fields encoded once (the
 * record with no lines, less the end of its empty array: {@code lines} is the schema's last field),
 * the number of lines, their bytes, and the end of the array.
 */
final class Chunks {
  private final String topicName;
  private final String key;
  private final long time;
  private final byte[] fileFields;
  private final byte[] keyPrefix;
  private final int capacity;
  private final int mostLineBytes;
  private final String mostLineWhy;
  private final List<Partition> partitions = new ArrayList<>();
  private final Bytes line = new Bytes();
  private final BinaryEncoder lineEncoder = EncoderFactory.get().directBinaryEncoder(line, null);

  /** The lines gathered for one partition. */
  private static final class Partition {
    final Bytes lines = new Bytes();
    int count;
  }

  /**
   * @param key what the chunks are keyed by: the file, since their lines have keys of their own
   * @param partitions the inbound topic's
   */
  Chunks(
      InboundFileName name,
      String md5,
      boolean visitorIds,
      Topics topics,
      String key,
      int partitions) {
    Topic<String, InboundChunk> topic = topics.inbound();
    this.topicName = topic.name();
    this.key = key;
    this.time = name.time().toEpochMilli();
    byte[] empty =
        topic
            .values()
            .encode(
                InboundChunk.newBuilder()
                    .setEventIdPrefix("file:" + name.name() + ":" + md5.substring(0, 8) + ":")
                    .setTime(name.time())
                    .setDataSourceId(name.dataSourceId())
                    .setTargetDataSourceId(name.traitDataSourceId())
                    .setOverwrite(name.overwrite())
                    .setVisitorIds(visitorIds)
                    .setLines(List.of())
                    .build());
    this.fileFields = Arrays.copyOf(empty, empty.length - 1);
    this.keyPrefix =
        (visitorIds ? "" : IdMapKey.of(name.dataSourceId(), "")).getBytes(StandardCharsets.UTF_8);
    // The count of lines takes at most ten bytes, the end of the array one.
    this.capacity = topic.values().maxBytes() - fileFields.length - 11;
    // The qualifier writes each line as an event of its own, with the file's fields, the visitor
    // id twice (as itself, and after the event id) and the few bytes of the event's other fields.
    int eventLimit =
        topics.visits().values().maxBytes()
            - fileFields.length
            - 2 * (VisitorId.MAX_DIGITS + 2)
            - 64;
    this.mostLineBytes = Math.min(capacity, eventLimit);
    this.mostLineWhy =
        capacity <= eventLimit
            ? "that a record of " + topicName + " may hold with the file's fields"
            : "that an event of " + topics.visits().name() + " may hold with the file's fields";
    for (int i = 0; i < partitions; i++) {
      this.partitions.add(new Partition());
    }
  }

  /** A line encoded for its chunk, and the partition of its user's key. */
  record Encoded(byte[] bytes, int partition) {}

  /**
   * The line as its chunk holds it. Called on one thread only, the one that reads the file: it
   * encodes into a buffer of its own.
   */
  Encoded encode(long lineNumber, InboundLine parsed) {
    byte[] user = parsed.userId().getBytes(StandardCharsets.UTF_8);
    encode(lineNumber, user, parsed);
    return new Encoded(line.toByteArray(), partition(user));
  }

  /**
   * Adds the line to its partition's chunk, first writing that chunk if the line would overfill it.
   *
   * @param producer what sends a chunk's record
   * @throws InboundLineException when the line alone is longer than a record may be
   */
  void add(Encoded encoded, Consumer<ProducerRecord<String, byte[]>> producer) {
    byte[] bytes = encoded.bytes();
    if (bytes.length > mostLineBytes) {
      throw new InboundLineException(
          "the line is too long: it takes "
              + bytes.length
              + " bytes encoded, more than the "
              + mostLineBytes
              + " "
              + mostLineWhy);
    }
    Partition partition = partitions.get(encoded.partition());
    if (partition.lines.size() + bytes.length > capacity) {
      send(encoded.partition(), producer);
    }
    partition.lines.write(bytes, 0, bytes.length);
    partition.count++;
  }

  /** Writes every chunk that has lines. */
  void flush(Consumer<ProducerRecord<String, byte[]>> producer) {
    for (int index = 0; index < partitions.size(); index++) {
      send(index, producer);
    }
  }

  private void send(int index, Consumer<ProducerRecord<String, byte[]>> producer) {
    Partition partition = partitions.get(index);
    if (partition.count == 0) {
      return;
    }
    Bytes chunk = new Bytes(fileFields.length + 11 + partition.lines.size());
    chunk.write(fileFields, 0, fileFields.length);
    try {
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(chunk, null);
      encoder.writeLong(partition.count);
      partition.lines.writeTo(chunk);
      encoder.writeLong(0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode into memory", e);
    }
    producer.accept(new ProducerRecord<>(topicName, index, time, key, chunk.toByteArray()));
    partition.lines.reset();
    partition.count = 0;
  }

  /**
   * One {@code InboundChunkLine}, field by field in the schema's order, into {@link #line}. A user
   * id is a string, which Avro writes as it writes bytes: a length, then UTF-8.
   */
  private void encode(long lineNumber, byte[] user, InboundLine parsed) {
    line.reset();
    try {
      lineEncoder.writeLong(lineNumber);
      lineEncoder.writeBytes(user);
      longs(parsed.realized());
      longs(parsed.removed());
      lineEncoder.writeMapStart();
      lineEncoder.setItemCount(parsed.signals().size());
      for (Map.Entry<String, List<String>> signal : parsed.signals().entrySet()) {
        lineEncoder.startItem();
        lineEncoder.writeString(signal.getKey());
        lineEncoder.writeArrayStart();
        lineEncoder.setItemCount(signal.getValue().size());
        for (String value : signal.getValue()) {
          lineEncoder.startItem();
          lineEncoder.writeString(value);
        }
        lineEncoder.writeArrayEnd();
      }
      lineEncoder.writeMapEnd();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode into memory", e);
    }
  }

  private void longs(List<Long> values) throws IOException {
    lineEncoder.writeArrayStart();
    lineEncoder.setItemCount(values.size());
    for (long value : values) {
      lineEncoder.startItem();
      lineEncoder.writeLong(value);
    }
    lineEncoder.writeArrayEnd();
  }

  /** The partition Kafka's default partitioner gives the user's key, serialized as UTF-8. */
  private int partition(byte[] user) {
    byte[] keyBytes = Arrays.copyOf(keyPrefix, keyPrefix.length + user.length);
    System.arraycopy(user, 0, keyBytes, keyPrefix.length, user.length);
    return Utils.toPositive(Utils.murmur2(keyBytes)) % partitions.size();
  }

  /**
   * A growable byte buffer without {@link java.io.ByteArrayOutputStream}'s locks: the encoder
   * writes to it a dozen times per line.
   */
  private static final class Bytes extends OutputStream {
    private byte[] bytes;
    private int size;

    Bytes() {
      this(1024);
    }

    Bytes(int capacity) {
      bytes = new byte[capacity];
    }

    @Override
    public void write(int b) {
      ensure(1);
      bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] source, int offset, int length) {
      ensure(length);
      System.arraycopy(source, offset, bytes, size, length);
      size += length;
    }

    int size() {
      return size;
    }

    void reset() {
      size = 0;
    }

    void writeTo(Bytes other) {
      other.write(bytes, 0, size);
    }

    byte[] toByteArray() {
      return Arrays.copyOf(bytes, size);
    }

    private void ensure(int more) {
      if (size + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
      }
    }
  }
}
