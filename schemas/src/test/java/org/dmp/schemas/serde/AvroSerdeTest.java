package org.dmp.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SystemLimitException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.dmp.avro.DeliveryAttempt;
import org.dmp.avro.PartnerSegmentUpdate;
import org.dmp.avro.ProfileUpdate;
import org.dmp.avro.TaxonomyEntry;
import org.dmp.avro.VisitEvent;
import org.dmp.schemas.SampleRecords;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
  private static final AvroSerde<VisitEvent> VISITS = AvroSerde.of(VisitEvent.class);

  @Test
  void aRecordWrittenWithTheReleasedSchemaIsReadWithItsRenamedFields() throws Exception {
    Schema released =
        KnownSchemas.RELEASED_RECORDS.stream()
            .filter(schema -> schema.getName().equals("VisitEvent"))
            .findFirst()
            .orElseThrow();
    GenericRecord old = new GenericData.Record(released);
    old.put("eventId", "e-1");
    old.put("visitorId", "123");
    old.put("time", 1_700_000_000_000L);
    old.put("source", new GenericData.EnumSymbol(released.getField("source").schema(), "EDGE"));
    old.put("dataSourceId", 7L);
    old.put("signals", Map.of());
    old.put("httpAttributes", Map.of());
    old.put("partnerIds", List.of());
    old.put("realizedTraits", List.of());
    old.put("removedTraits", List.of());
    old.put("region", 0);
    ByteBuffer written =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), released).encode(old);
    byte[] bytes = new byte[written.remaining()];
    written.get(bytes);

    VisitEvent read = VISITS.decode("dmp.visits", bytes);

    assertThat(read.getTargetDataSourceId()).isEqualTo(7L);
    assertThat(read.getVisitorId()).isEqualTo("123");
  }

  @Test
  void everyTopicRecordSurvivesTheRoundTrip() {
    assertRoundTrip(VisitEvent.class, SampleRecords.visit("123", "e-1"));
    assertRoundTrip(ProfileUpdate.class, SampleRecords.profileUpdate("123"));
    assertRoundTrip(TaxonomyEntry.class, SampleRecords.taxonomyEntry());
    assertRoundTrip(DeliveryAttempt.class, SampleRecords.deliveryAttempt());
    assertRoundTrip(PartnerSegmentUpdate.class, SampleRecords.partnerSegmentUpdate());
  }

  @Test
  void writesSingleObjectEncodingWithTheSchemaFingerprint() {
    byte[] bytes = VISITS.encode(SampleRecords.visit("123", "e-1"));

    assertThat(Arrays.copyOf(bytes, 2)).containsExactly(0xC3, 0x01);
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(fingerprint)
        .isEqualTo(SchemaNormalization.parsingFingerprint64(VisitEvent.getClassSchema()));
  }

  @Test
  void writesAndReadsTheBytesAvrosOwnSingleObjectEncoderDoes() throws Exception {
    for (SpecificRecord record :
        java.util.List.<SpecificRecord>of(
            SampleRecords.visit("123", "e-1"),
            SampleRecords.profileUpdate("123"),
            SampleRecords.taxonomyEntry(),
            SampleRecords.deliveryAttempt(),
            SampleRecords.partnerSegmentUpdate())) {
      assertSameBytesAsAvro(record);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends SpecificRecord> void assertSameBytesAsAvro(T record) throws Exception {
    Class<T> type = (Class<T>) record.getClass();
    var model = org.apache.avro.specific.SpecificData.getForClass(type);
    ByteBuffer avros =
        new org.apache.avro.message.BinaryMessageEncoder<T>(model, record.getSchema())
            .encode(record);
    byte[] expected = new byte[avros.remaining()];
    avros.get(expected);

    assertThat(AvroSerde.of(type).encode(record))
        .as(type.getSimpleName())
        .containsExactly(expected);
    assertThat(AvroSerde.of(type).decode("t", expected)).isEqualTo(record);
  }

  @Test
  void nullStaysNullForTombstones() {
    assertThat(VISITS.serializer().serialize("t", null)).isNull();
    assertThat(VISITS.deserializer().deserialize("t", null)).isNull();
  }

  @Test
  void anUnknownFingerprintIsNamedWithTheTopic() {
    byte[] bytes = VISITS.encode(SampleRecords.visit("123", "e-1"));
    ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(0x1122334455667788L);

    assertThatThrownBy(() -> VISITS.decode("dmp.visits", bytes))
        .isInstanceOf(RecordDecodingException.class)
        .hasMessage(
            "Cannot decode a VisitEvent from topic 'dmp.visits': unknown schema fingerprint 0x1122334455667788:"
                + " it was written with a schema this reader does not know");
  }

  @Test
  void bytesWithoutTheMarkerAreRefused() {
    assertThatThrownBy(
            () -> VISITS.decode("dmp.visits", "plain text".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(RecordDecodingException.class)
        .hasMessageContaining("'dmp.visits'")
        .hasMessageContaining("does not start with the marker C3 01");
  }

  @Test
  void aTruncatedBodyIsCalledCorrupt() {
    byte[] bytes = VISITS.encode(SampleRecords.visit("123", "e-1"));

    assertThatThrownBy(() -> VISITS.decode("dmp.visits", Arrays.copyOf(bytes, bytes.length - 5)))
        .isInstanceOf(RecordDecodingException.class)
        .hasMessageContaining("'dmp.visits': corrupt body");
  }

  @Test
  void aRecordOfAnotherTypeIsNamedForWhatItIs() {
    byte[] profile = AvroSerde.of(ProfileUpdate.class).encode(SampleRecords.profileUpdate("123"));

    assertThatThrownBy(() -> VISITS.decode("dmp.segments", profile))
        .isInstanceOf(RecordDecodingException.class)
        .hasMessage(
            "Cannot decode a VisitEvent from topic 'dmp.segments': it holds a ProfileUpdate, not a VisitEvent");
  }

  @Test
  void anyKnownRecordDecodesToJsonByItsFingerprint() {
    byte[] bytes = AvroSerde.of(ProfileUpdate.class).encode(SampleRecords.profileUpdate("123"));

    assertThat(KnownSchemas.toJson(bytes))
        .contains("\"visitorId\": \"123\"")
        .contains("\"segments\": [5001, 5002]");
  }

  @Test
  void aCorruptLengthCannotClaimBillionsOfItems() {
    AvroSerde.of(VisitEvent.class);

    assertThatThrownBy(() -> SystemLimitException.checkMaxCollectionLength(2_000_000L))
        .isInstanceOf(SystemLimitException.class);
  }

  @Property(tries = 2000)
  void arbitraryBytesFailOnlyWithADecodingError(@ForAll byte[] noise) {
    byte[] bytes = withValidHeader(noise);
    try {
      VISITS.decode("fuzz", bytes);
    } catch (RecordDecodingException expected) {
      assertThat(expected).hasMessageStartingWith("Cannot decode a VisitEvent from topic 'fuzz': ");
    }
  }

  private static byte[] withValidHeader(byte[] body) {
    ByteBuffer buffer = ByteBuffer.allocate(10 + body.length).order(ByteOrder.LITTLE_ENDIAN);
    buffer
        .put((byte) 0xC3)
        .put((byte) 0x01)
        .putLong(SchemaNormalization.parsingFingerprint64(VisitEvent.getClassSchema()));
    return buffer.put(body).array();
  }

  private static <T extends SpecificRecord> void assertRoundTrip(Class<T> type, T record) {
    AvroSerde<T> serde = AvroSerde.of(type);
    byte[] bytes = serde.serializer().serialize("topic", record);
    assertThat(serde.deserializer().deserialize("topic", bytes)).isEqualTo(record);
    assertThat(KnownSchemas.toJson(bytes)).startsWith("{");
  }
}
