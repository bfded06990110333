package org.dmp.schemas.serde;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for one generated record type in Avro single-object encoding: the marker bytes, the
 * writer schema's 64-bit fingerprint, then the binary body. The same instance serves the plain
 * Kafka clients, vertx-kafka-client and Kafka Streams.
 *
 * <p>Null maps to null both ways, so compacted topics can carry tombstones.
 *
 * <p>Records are written, and records of the current schema read, through Avro's buffered binary
 * encoder and decoder with per-thread buffers: Avro's single-object encoder and decoder go through
 * its unbuffered ones over synchronized byte streams, which cost the edge and the qualifier a tenth
 * of their time. Records of an older schema are read by Avro's decoder, which resolves them.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
  /**
   * Per thread: a growable buffer to write into, and the encoder and decoder Avro lets us reuse.
   */
  private static final class Scratch extends OutputStream {
    private byte[] bytes = new byte[1024];
    private int length;
    private BinaryEncoder encoder;
    private BinaryDecoder decoder;

    @Override
    public void write(int b) {
      ensure(1);
      bytes[length++] = (byte) b;
    }

    @Override
    public void write(byte[] source, int offset, int count) {
      ensure(count);
      System.arraycopy(source, offset, bytes, length, count);
      length += count;
    }

    private void ensure(int more) {
      if (length + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
      }
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private final Class<T> type;
  private final Schema schema;
  private final String typeName;
  private final byte[] header;
  private final SpecificDatumWriter<T> writer;
  private final SpecificDatumReader<T> reader;
  private final BinaryMessageDecoder<T> decoder;
  private final int maxBytes;

  private AvroSerde(Class<T> type, int maxBytes) {
    this.type = type;
    SpecificData model = SpecificData.getForClass(type);
    this.schema = model.getSchema(type);
    this.typeName = schema.getName();
    this.header =
        ByteBuffer.allocate(KnownSchemas.HEADER_LENGTH)
            .order(ByteOrder.LITTLE_ENDIAN)
            .put(KnownSchemas.MARKER)
            .putLong(SchemaNormalization.parsingFingerprint64(schema))
            .array();
    this.writer = new SpecificDatumWriter<>(schema, model);
    this.reader = new SpecificDatumReader<>(schema, schema, model);
    this.decoder = new BinaryMessageDecoder<>(model, schema, KnownSchemas.STORE);
    this.maxBytes = maxBytes;
  }

  public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
    return new AvroSerde<>(Objects.requireNonNull(type, "type"), Integer.MAX_VALUE);
  }

  /**
   * The same serde, but one that refuses to decode records longer than {@code maxBytes}: what a
   * consumer would rather set aside than hold, such as an event no edge could have written.
   */
  public AvroSerde<T> limitedTo(int maxBytes) {
    if (maxBytes < KnownSchemas.HEADER_LENGTH) {
      throw new IllegalArgumentException("a record limit must exceed the header: " + maxBytes);
    }
    return new AvroSerde<>(type, maxBytes);
  }

  /** How long a record this serde decodes may be. */
  public int maxBytes() {
    return maxBytes;
  }

  public byte[] encode(T record) {
    if (record == null) {
      return null;
    }
    Scratch scratch = SCRATCH.get();
    scratch.length = 0;
    scratch.write(header, 0, header.length);
    try {
      scratch.encoder = EncoderFactory.get().binaryEncoder(scratch, scratch.encoder);
      writer.write(record, scratch.encoder);
      scratch.encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot encode a " + typeName, e);
    }
    return Arrays.copyOf(scratch.bytes, scratch.length);
  }

  /**
   * @param topic where the bytes came from, named in the error
   * @throws RecordDecodingException naming the topic and why the bytes are not a {@code T}
   */
  public T decode(String topic, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    if (bytes.length > maxBytes) {
      throw new RecordDecodingException(
          "the record of "
              + topic
              + " is "
              + bytes.length
              + " bytes long, more than the "
              + maxBytes
              + " a "
              + typeName
              + " may be");
    }
    try {
      if (Arrays.equals(
          bytes, 0, Math.min(bytes.length, header.length), header, 0, header.length)) {
        Scratch scratch = SCRATCH.get();
        scratch.decoder =
            DecoderFactory.get()
                .binaryDecoder(bytes, header.length, bytes.length - header.length, scratch.decoder);
        return reader.read(null, scratch.decoder);
      }
      Schema writer = KnownSchemas.writerSchema(bytes);
      if (!writer.getFullName().equals(schema.getFullName())) {
        throw new RecordDecodingException("it holds a " + writer.getName() + ", not a " + typeName);
      }
      return decoder.decode(bytes);
    } catch (Exception e) {
      throw KnownSchemas.explain(typeName, topic, e);
    }
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, record) -> encode(record);
  }

  @Override
  public Deserializer<T> deserializer() {
    return this::decode;
  }
}
