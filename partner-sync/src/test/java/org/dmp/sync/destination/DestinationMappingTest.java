package org.dmp.sync.destination;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.dmp.avro.Destination;
import org.dmp.avro.DestinationType;
import org.dmp.avro.PartnerId;
import org.dmp.avro.ProfileUpdate;
import org.junit.jupiter.api.Test;

class DestinationMappingTest {
  private static final DestinationMapping MAPPING = new DestinationMapping(Destination.newBuilder().setId(9001).setName("dsp")
      .setType(DestinationType.HTTP).setDataSourceId(20001L).setMappings(Map.of("5001", "seg-a", "5002", "seg-b")).build());

  private static ProfileUpdate update(List<Long> added, List<Long> removed, List<PartnerId> partnerIds) {
    return ProfileUpdate.newBuilder().setVisitorId("v1").setSegments(added).setAdded(added).setRemoved(removed)
        .setTime(Instant.EPOCH).setVersion(7).setPartnerIds(partnerIds).build();
  }

  @Test
  void mappedSegmentsGoUnderThePartnersIdForTheDestinationsDataSource() {
    var result = MAPPING.map(update(List.of(5001L, 6000L), List.of(5002L),
        List.of(new PartnerId(1L, "site-id"), new PartnerId(20001L, "dsp-id"))));
    PartnerChange change = result.change().orElseThrow();
    assertThat(change.partnerUserId()).isEqualTo("dsp-id");
    assertThat(change.added()).containsExactly("seg-a");
    assertThat(change.removed()).containsExactly("seg-b");
    assertThat(change.updateId()).isEqualTo("v1:7");
  }

  @Test
  void changesToUnmappedSegmentsAreNotSent() {
    assertThat(MAPPING.map(update(List.of(6000L), List.of(), List.of(new PartnerId(20001L, "dsp-id")))).skipped())
        .contains(DestinationMapping.Skip.NOTHING_MAPPED);
  }

  @Test
  void aVisitorWithoutAnIdForTheDataSourceIsNotSent() {
    assertThat(MAPPING.map(update(List.of(5001L), List.of(), List.of(new PartnerId(1L, "site-id")))).skipped())
        .contains(DestinationMapping.Skip.NO_PARTNER_ID);
  }
}
