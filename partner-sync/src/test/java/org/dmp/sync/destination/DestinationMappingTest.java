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
  private static final DestinationMapping MAPPING =
      new DestinationMapping(
          Destination.newBuilder()
              .setId(9001)
              .setName("dsp")
              .setType(DestinationType.HTTP)
              .setDataSourceId(20001L)
              .setMappings(Map.of("5001", "seg-a", "5002", "seg-b", "5003", "seg-b"))
              .build());
  private static final List<PartnerId> HAS_ID =
      List.of(new PartnerId(1L, "site-id"), new PartnerId(20001L, "dsp-id"));

  /**
   * @param segments the visitor's segments after the change
   */
  private static ProfileUpdate update(
      List<Long> segments, List<Long> added, List<Long> removed, List<PartnerId> partnerIds) {
    return ProfileUpdate.newBuilder()
        .setVisitorId("v1")
        .setSegments(segments)
        .setAdded(added)
        .setRemoved(removed)
        .setTime(Instant.EPOCH)
        .setVersion(7)
        .setPartnerIds(partnerIds)
        .build();
  }

  @Test
  void mappedSegmentsGoUnderThePartnersIdForTheDestinationsDataSource() {
    PartnerChange change =
        MAPPING
            .map(update(List.of(5001L, 6000L), List.of(5001L, 6000L), List.of(5002L), HAS_ID))
            .change()
            .orElseThrow();

    assertThat(change.partnerUserId()).isEqualTo("dsp-id");
    assertThat(change.user().before()).containsExactly("seg-b");
    assertThat(change.user().after()).containsExactly("seg-a");
    assertThat(change.added()).containsExactly("seg-a");
    assertThat(change.removed()).containsExactly("seg-b");
    assertThat(change.updateId()).isEqualTo("v1:7");
  }

  @Test
  void aReplaysChangeIsIdentifiedByTheRunAndTheVisitorNotTheVersion() {
    ProfileUpdate corrected =
        ProfileUpdate.newBuilder(update(List.of(5001L), List.of(5001L), List.of(), HAS_ID))
            .setCorrection("replay-r1")
            .build();

    PartnerChange change = MAPPING.map(corrected).change().orElseThrow();

    assertThat(change.updateId()).isEqualTo("replay-r1:v1");
    assertThat(change.toRecord().getUpdateId()).isEqualTo("replay-r1:v1");
  }

  @Test
  void aChangeForOtherDestinationsOnlyIsNotSentAndABackfillSendsEveryMappedValue() {
    ProfileUpdate unchanged = update(List.of(5001L, 5002L), List.of(), List.of(), HAS_ID);
    ProfileUpdate forOthers =
        ProfileUpdate.newBuilder(update(List.of(5001L), List.of(5001L), List.of(), HAS_ID))
            .setOnlyDestinations(List.of(9002L))
            .build();
    ProfileUpdate backfill =
        ProfileUpdate.newBuilder(unchanged)
            .setOnlyDestinations(List.of(9001L))
            .setBackfill(true)
            .setCorrection("backfill-b1")
            .build();

    assertThat(MAPPING.map(forOthers).skipped()).contains(DestinationMapping.Skip.NOTHING_MAPPED);
    assertThat(MAPPING.map(unchanged).skipped()).contains(DestinationMapping.Skip.NOTHING_MAPPED);
    PartnerChange backfilled = MAPPING.map(backfill).change().orElseThrow();
    assertThat(backfilled.added()).containsExactly("seg-a", "seg-b");
    assertThat(backfilled.removed()).isEmpty();
    assertThat(backfilled.updateId()).isEqualTo("backfill-b1:v1");
  }

  @Test
  void aValueTwoSegmentsMapToLeavesOnlyWhenBothAreLeft() {
    var leftOne = MAPPING.map(update(List.of(5003L), List.of(), List.of(5002L), HAS_ID));
    var leftBoth = MAPPING.map(update(List.of(), List.of(), List.of(5003L), HAS_ID));

    assertThat(leftOne.skipped()).contains(DestinationMapping.Skip.NOTHING_MAPPED);
    assertThat(leftBoth.change().orElseThrow().removed()).containsExactly("seg-b");
  }

  @Test
  void changesToUnmappedSegmentsAreNotSent() {
    assertThat(MAPPING.map(update(List.of(6000L), List.of(6000L), List.of(), HAS_ID)).skipped())
        .contains(DestinationMapping.Skip.NOTHING_MAPPED);
  }

  @Test
  void aVisitorIdSyncedAfterQualifyingIsSentWithAllTheirMappedSegments() {
    ProfileUpdate synced =
        ProfileUpdate.newBuilder(update(List.of(5001L, 5002L, 6000L), List.of(), List.of(), HAS_ID))
            .setNewPartnerIds(List.of(new PartnerId(20001L, "dsp-id")))
            .setRegions(List.of(7))
            .build();
    ProfileUpdate syncedElsewhere =
        ProfileUpdate.newBuilder(synced)
            .setNewPartnerIds(List.of(new PartnerId(1L, "site-id")))
            .build();

    PartnerChange change = MAPPING.map(synced).change().orElseThrow();
    assertThat(change.partnerUserId()).isEqualTo("dsp-id");
    assertThat(change.added()).containsExactly("seg-a", "seg-b");
    assertThat(change.removed()).isEmpty();
    assertThat(change.regions()).containsExactly(7);
    assertThat(MAPPING.map(syncedElsewhere).skipped())
        .contains(DestinationMapping.Skip.NOTHING_MAPPED);
  }

  @Test
  void aVisitorWithoutAnIdForTheDataSourceIsNotSent() {
    assertThat(
            MAPPING
                .map(
                    update(
                        List.of(5001L),
                        List.of(5001L),
                        List.of(),
                        List.of(new PartnerId(1L, "site-id"))))
                .skipped())
        .contains(DestinationMapping.Skip.NO_PARTNER_ID);
  }

  @Test
  void aFullFileAlsoListsMembersWhoseValuesStayedTheSame() {
    ProfileUpdate unchanged = update(List.of(5001L, 6000L), List.of(6000L), List.of(), HAS_ID);

    assertThat(MAPPING.map(unchanged).skipped()).contains(DestinationMapping.Skip.NOTHING_MAPPED);
    PartnerChange member = MAPPING.mapIncludingUnchanged(unchanged).change().orElseThrow();
    assertThat(member.user().before()).containsExactly("seg-a");
    assertThat(member.user().after()).containsExactly("seg-a");
    assertThat(
            MAPPING
                .mapIncludingUnchanged(update(List.of(6000L), List.of(6000L), List.of(), HAS_ID))
                .skipped())
        .as("a visitor with no mapped segment is no member")
        .contains(DestinationMapping.Skip.NOTHING_MAPPED);
  }
}
