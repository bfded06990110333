package org.dmp.schemas;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.dmp.avro.DataSource;
import org.dmp.avro.DeliveryAttempt;
import org.dmp.avro.DeliveryChannel;
import org.dmp.avro.DeliveryOutcome;
import org.dmp.avro.EventSource;
import org.dmp.avro.InboundIds;
import org.dmp.avro.PartnerId;
import org.dmp.avro.PartnerSegmentUpdate;
import org.dmp.avro.ProfileUpdate;
import org.dmp.avro.TaxonomyEntry;
import org.dmp.avro.VisitEvent;

/** One filled-in record of each topic type. */
public final class SampleRecords {
  public static final Instant TIME = Instant.parse("2026-11-23T10:15:30.123Z");

  private SampleRecords() {}

  public static VisitEvent visit(String visitorId, String eventId) {
    return VisitEvent.newBuilder()
        .setEventId(eventId)
        .setVisitorId(visitorId)
        .setTime(TIME)
        .setSource(EventSource.EDGE)
        .setSignals(Map.of("c_category", List.of("shoes"), "c_color", List.of("red", "blue")))
        .setHttpAttributes(Map.of("h_referer", "https://shop.example/"))
        .setPartnerIds(List.of(new PartnerId(20001L, "4250948725049857")))
        .build();
  }

  public static ProfileUpdate profileUpdate(String visitorId) {
    return ProfileUpdate.newBuilder()
        .setVisitorId(visitorId)
        .setSegments(List.of(5001L, 5002L))
        .setAdded(List.of(5002L))
        .setRemoved(List.of(5003L))
        .setTime(TIME)
        .setVersion(7)
        .setCauseEventId("e-1")
        .build();
  }

  public static TaxonomyEntry taxonomyEntry() {
    return new TaxonomyEntry(
        new DataSource(1L, "Site tags", null, null, null, InboundIds.PARTNER, java.util.List.of()));
  }

  public static DeliveryAttempt deliveryAttempt() {
    return DeliveryAttempt.newBuilder()
        .setDestinationId(9001L)
        .setChannel(DeliveryChannel.HTTP)
        .setIdempotencyKey("9001-abc")
        .setVisitorIds(List.of("123"))
        .setAttempt(1)
        .setOutcome(DeliveryOutcome.DELIVERED)
        .setHttpStatus(200)
        .setLatencyMs(12)
        .setTime(TIME)
        .build();
  }

  public static PartnerSegmentUpdate partnerSegmentUpdate() {
    return PartnerSegmentUpdate.newBuilder()
        .setUpdateId("123:7")
        .setDestinationId(9005L)
        .setDataSourceId(20001L)
        .setPartnerUserId("4250948725049857")
        .setVisitorId("123")
        .setAdded(List.of("5001"))
        .setRemoved(List.of())
        .setTime(TIME)
        .build();
  }
}
