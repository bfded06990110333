package org.dmp.schemas.serde;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
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
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
  private final Schema schema;
  private final String typeName;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  private AvroSerde(Class<T> type) {
    SpecificData model = SpecificData.getForClass(type);
    this.schema = model.getSchema(type);
    this.typeName = schema.getName();
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema, KnownSchemas.STORE);
  }

  public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
    return new AvroSerde<>(Objects.requireNonNull(type, "type"));
  }

  public byte[] encode(T record) {
    if (record == null) {
      return null;
    }
    try {
      ByteBuffer buffer = encoder.encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot encode a " + typeName, e);
    }
  }

  /**
   * @param topic where the bytes came from, named in the error
   * @throws RecordDecodingException naming the topic and why the bytes are not a {@code T}
   */
  public T decode(String topic, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
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
