package org.dmp.schemas.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SystemLimitException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.SchemaStore;
import org.dmp.avro.DeadLetter;
import org.dmp.avro.DeliveryAttempt;
import org.dmp.avro.IdMapping;
import org.dmp.avro.PartnerSegmentUpdate;
import org.dmp.avro.Profile;
import org.dmp.avro.ProfileUpdate;
import org.dmp.avro.ReplayDifference;
import org.dmp.avro.ReplayRun;
import org.dmp.avro.TaxonomyEntry;
import org.dmp.avro.VisitEvent;

/**
 * Every record schema written to a topic, found by its 64-bit fingerprint: what lets a reader such
 * as {@code dmp tail} decode any topic without a schema registry server.
 */
public final class KnownSchemas {
  /** The two bytes that start every Avro single-object encoded record. */
  static final byte[] MARKER = {(byte) 0xC3, (byte) 0x01};

  static final int HEADER_LENGTH = MARKER.length + Long.BYTES;

  /**
   * The current schema of each record type written to a topic (Profile: the qualifier's store
   * changelog).
   */
  public static final List<Schema> TOPIC_RECORDS =
      List.of(
          VisitEvent.getClassSchema(),
          ProfileUpdate.getClassSchema(),
          TaxonomyEntry.getClassSchema(),
          DeliveryAttempt.getClassSchema(),
          PartnerSegmentUpdate.getClassSchema(),
          DeadLetter.getClassSchema(),
          IdMapping.getClassSchema(),
          Profile.getClassSchema(),
          ReplayRun.getClassSchema(),
          ReplayDifference.getClassSchema());

  /**
   * The copy of each record type as last released (resource {@code released/<name>.avsc}): topics
   * hold records written with it, which readers of the current schema must still decode.
   */
  public static final List<Schema> RELEASED_RECORDS =
      TOPIC_RECORDS.stream().map(current -> released(current.getName())).toList();

  /** Writer schemas by fingerprint: the current ones, and the released ones they evolved from. */
  private static final Map<Long, Schema> BY_FINGERPRINT =
      Stream.concat(TOPIC_RECORDS.stream(), RELEASED_RECORDS.stream())
          .collect(
              Collectors.toUnmodifiableMap(
                  SchemaNormalization::parsingFingerprint64,
                  Function.identity(),
                  (current, releasedUnchanged) -> current));

  /** Resolves writer schemas for the single-object decoders. */
  static final SchemaStore STORE = fingerprint -> BY_FINGERPRINT.get(fingerprint);

  /*
   * Avro's own limits allow a corrupt length prefix to claim two billion items, which the reader
   * then allocates. No record on a topic (at most a few MB) comes near these bounds, so corrupt
   * bytes fail fast instead of exhausting the heap. Set before Avro reads any data; a value given
   * on the command line wins.
   */
  static {
    limitUnlessSet(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY, 1_000_000);
    limitUnlessSet(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, 16 * 1024 * 1024);
    limitUnlessSet(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, 16 * 1024 * 1024);
  }

  private KnownSchemas() {}

  private static Schema released(String name) {
    String resource = "released/" + name + ".avsc";
    try (InputStream in = KnownSchemas.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("no released copy of " + name + " at resource " + resource);
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + resource, e);
    }
  }

  private static void limitUnlessSet(String property, int limit) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, Integer.toString(limit));
    }
  }

  public static Optional<Schema> byFingerprint(long fingerprint) {
    return Optional.ofNullable(BY_FINGERPRINT.get(fingerprint));
  }

  /**
   * Decodes any known single-object encoded record to JSON, whatever its type.
   *
   * @throws RecordDecodingException saying why the bytes are not such a record
   */
  public static String toJson(byte[] bytes) {
    Schema schema = writerSchema(bytes);
    GenericDatumReader<Object> reader = new GenericDatumReader<>(schema);
    try {
      Object datum =
          reader.read(
              null,
              DecoderFactory.get()
                  .binaryDecoder(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH, null));
      return GenericData.get().toString(datum);
    } catch (IOException | RuntimeException e) {
      throw new RecordDecodingException("corrupt " + schema.getName() + " body: " + e, e);
    }
  }

  /** The schema the header of {@code bytes} names. */
  static Schema writerSchema(byte[] bytes) {
    if (bytes == null
        || bytes.length < HEADER_LENGTH
        || bytes[0] != MARKER[0]
        || bytes[1] != MARKER[1]) {
      throw new RecordDecodingException(
          "not an Avro single-object record: it does not start with the marker C3 01"
              + " followed by an 8-byte schema fingerprint");
    }
    long fingerprint =
        ByteBuffer.wrap(bytes, MARKER.length, Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).getLong();
    return byFingerprint(fingerprint)
        .orElseThrow(
            () ->
                new RecordDecodingException(
                    "unknown schema fingerprint "
                        + hex(fingerprint)
                        + ": it was written with a schema this reader does not know"));
  }

  static String hex(long fingerprint) {
    return String.format("0x%016x", fingerprint);
  }

  static RecordDecodingException explain(String type, String topic, Exception cause) {
    String reason =
        cause instanceof RecordDecodingException ? cause.getMessage() : "corrupt body: " + cause;
    return new RecordDecodingException(
        "Cannot decode a " + type + " from topic '" + topic + "': " + reason, cause);
  }
}
