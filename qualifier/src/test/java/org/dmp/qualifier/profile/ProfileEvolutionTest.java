package org.dmp.qualifier.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.dmp.avro.EventSource;
import org.dmp.avro.IdMapping;
import org.dmp.avro.PartnerId;
import org.dmp.avro.Profile;
import org.dmp.avro.VisitEvent;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.TaxonomyFile;
import org.junit.jupiter.api.Test;

/**
 * An event re-evaluates only the segments counting its traits, unless time or a new taxonomy
 * revision may have changed others.
 */
class ProfileEvolutionTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private static final ProfileEvolution EVOLUTION =
      new ProfileEvolution(ProfileBounds.defaults(100));

  private static CompiledTaxonomy taxonomy(long revision, String segments) {
    return new CompiledTaxonomy(
        TaxonomyFile.parse(
            "test",
            """
        {"dataSources": [{"id": 1, "name": "Site"}],
         "traits": [{"id": 101, "name": "Shoes", "dataSource": 1, "type": "rule", "rule": "c_category == \\"shoes\\""},
                    {"id": 103, "name": "Red", "dataSource": 1, "type": "rule", "rule": "c_color == \\"red\\""}],
         "segments": [%s]}"""
                .formatted(segments)),
        revision);
  }

  private static VisitEvent event(int second, String key, String value) {
    return VisitEvent.newBuilder()
        .setEventId("e" + second)
        .setVisitorId("v")
        .setTime(T0.plusSeconds(second))
        .setSource(EventSource.EDGE)
        .setSignals(Map.of(key, List.of(value)))
        .build();
  }

  private static VisitEvent fileLine(int second, List<Long> traits, Long overwrite) {
    return VisitEvent.newBuilder()
        .setEventId("file-line-" + second)
        .setVisitorId("v")
        .setTime(T0.plusSeconds(second))
        .setSource(EventSource.FILE)
        .setRealizedTraits(traits)
        .setOverwrite(overwrite)
        .build();
  }

  private static final CompiledTaxonomy THREE_SOURCES =
      new CompiledTaxonomy(
          TaxonomyFile.parse(
              "partners",
              """
          {"dataSources": [{"id": 1, "name": "Site"}, {"id": 20001, "name": "A"},
                           {"id": 20002, "name": "B"}, {"id": 20003, "name": "C"}],
           "traits": [{"id": 101, "name": "Shoes", "dataSource": 1, "type": "rule", "rule": "c_category == \\"shoes\\""},
                      {"id": 103, "name": "Red", "dataSource": 1, "type": "rule", "rule": "c_color == \\"red\\""}],
           "segments": [{"id": 5001, "name": "Shoes", "rule": "[101T]"}]}"""),
          1);

  private static VisitEvent synced(int second, long dataSource, String id) {
    return VisitEvent.newBuilder(event(second, "c_category", "shoes"))
        .setPartnerIds(List.of(new PartnerId(dataSource, id)))
        .build();
  }

  @Test
  void invalidPartnerIdsAreIgnoredAndTheLeastRecentlySyncedGoPastTheBound() {
    ProfileBounds bounds = new ProfileBounds(100, 1000, 2, 64 * 1024);
    ProfileEvolution evolution = new ProfileEvolution(bounds);
    Profile profile = evolution.onEvent(null, synced(0, 20001, "a"), THREE_SOURCES).profile();
    profile = evolution.onEvent(profile, synced(1, 20002, "b"), THREE_SOURCES).profile();
    profile = evolution.onEvent(profile, synced(2, 20001, "a2"), THREE_SOURCES).profile();
    ProfileEvolution.Outcome third =
        evolution.onEvent(profile, synced(3, 20003, "c"), THREE_SOURCES);
    ProfileEvolution.Outcome unknown =
        evolution.onEvent(third.profile(), synced(4, 99999, "made-up"), THREE_SOURCES);
    unknown = evolution.onEvent(unknown.profile(), synced(5, 20002, "a\nb"), THREE_SOURCES);
    unknown =
        evolution.onEvent(unknown.profile(), synced(6, 20002, "x".repeat(257)), THREE_SOURCES);

    assertThat(unknown.profile().getPartnerIds())
        .extracting(PartnerId::getDataSourceId, PartnerId::getPartnerUserId)
        .as("20002 was synced least recently")
        .containsExactly(tuple(20001L, "a2"), tuple(20003L, "c"));
    assertThat(unknown.mappings()).as("no id map entry for an invalid id").isEmpty();
    assertThat(third.mappings()).extracting(IdMapping::getPartnerUserId).containsExactly("c");
    assertThat(bounds.counts().partnerIds()).isEqualTo(1);
    assertThat(bounds.counts().unknownDataSources()).isEqualTo(1);
    assertThat(bounds.counts().invalidPartnerIds()).isEqualTo(2);
  }

  @Test
  void realizationsPastTheProfileBoundGoOldestFirstOverAllTraits() {
    ProfileBounds bounds = new ProfileBounds(100, 5, 10, 64 * 1024);
    ProfileEvolution evolution = new ProfileEvolution(bounds);
    Profile profile = null;
    for (int second = 0; second < 8; second++) {
      String[] signal =
          second % 2 == 0 ? new String[] {"c_category", "shoes"} : new String[] {"c_color", "red"};
      profile =
          evolution.onEvent(profile, event(second, signal[0], signal[1]), THREE_SOURCES).profile();
    }

    assertThat(TraitTimes.of(profile).asMap())
        .containsOnly(
            org.assertj.core.api.Assertions.entry(
                "101", List.of(T0.plusSeconds(4).toEpochMilli(), T0.plusSeconds(6).toEpochMilli())),
            org.assertj.core.api.Assertions.entry(
                "103",
                List.of(
                    T0.plusSeconds(3).toEpochMilli(),
                    T0.plusSeconds(5).toEpochMilli(),
                    T0.plusSeconds(7).toEpochMilli())));
    assertThat(bounds.counts().realizations()).isEqualTo(3);
  }

  @Test
  void aProfileNeverEncodesLongerThanItsByteBound() {
    ProfileBounds bounds = new ProfileBounds(100_000, 1_000_000, 10, 2048);
    ProfileEvolution evolution = new ProfileEvolution(bounds);
    Profile profile = null;
    for (int second = 0; second < 1000; second++) {
      profile =
          evolution.onEvent(profile, event(second, "c_category", "shoes"), THREE_SOURCES).profile();
      assertThat(org.dmp.schemas.serde.AvroSerde.of(Profile.class).encode(profile).length)
          .isLessThanOrEqualTo(2048);
    }
    List<Long> kept = TraitTimes.of(profile).asMap().get("101");
    assertThat(kept).hasSizeGreaterThan(100).endsWith(T0.plusSeconds(999).toEpochMilli());
    assertThat(bounds.counts().realizations()).isEqualTo(1000 - kept.size());
  }

  @Test
  void anOverwriteLineReplacesWhatItsDataSourceRealizedBeforeAndKeepsTheRest() {
    CompiledTaxonomy taxonomy =
        new CompiledTaxonomy(
            TaxonomyFile.parse(
                "crm",
                """
            {"dataSources": [{"id": 1, "name": "Site"}, {"id": 2, "name": "CRM"}],
             "traits": [{"id": 101, "name": "Shoes", "dataSource": 1, "type": "rule", "rule": "c_category == \\"shoes\\""},
                        {"id": 201, "name": "Gold", "dataSource": 2, "type": "onboarded"},
                        {"id": 202, "name": "Silver", "dataSource": 2, "type": "onboarded"}],
             "segments": [{"id": 5001, "name": "Gold", "rule": "[201T]"},
                          {"id": 5002, "name": "Silver shoppers", "rule": "[202T] AND [101T]"}]}"""),
            1);
    Profile profile = EVOLUTION.onEvent(null, event(0, "c_category", "shoes"), taxonomy).profile();
    profile = EVOLUTION.onEvent(profile, fileLine(10, List.of(201L), null), taxonomy).profile();
    assertThat(profile.getSegments()).containsExactly(5001L);

    ProfileEvolution.Outcome overwritten =
        EVOLUTION.onEvent(profile, fileLine(20, List.of(202L), 2L), taxonomy);

    assertThat(overwritten.update().getRemoved()).containsExactly(5001L);
    assertThat(overwritten.update().getAdded()).containsExactly(5002L);
    assertThat(TraitTimes.of(overwritten.profile()).asMap())
        .as("the site's trait is not the CRM's to overwrite")
        .containsOnlyKeys("101", "202");

    ProfileEvolution.Outcome secondLineOfTheSameFile =
        EVOLUTION.onEvent(overwritten.profile(), fileLine(20, List.of(201L), 2L), taxonomy);
    assertThat(secondLineOfTheSameFile.update().getAdded()).containsExactly(5001L);
    assertThat(TraitTimes.of(secondLineOfTheSameFile.profile()).asMap())
        .as("a line of the same file keeps what the file's first line realized")
        .containsOnlyKeys("101", "201", "202");
  }

  @Test
  void aSegmentAddedByANewRevisionIsEvaluatedOnTheNextEventWhateverItRealizes() {
    CompiledTaxonomy first =
        taxonomy(1, "{\"id\": 5001, \"name\": \"Shoes\", \"rule\": \"[101T]\"}");
    Profile profile = EVOLUTION.onEvent(null, event(0, "c_category", "shoes"), first).profile();
    assertThat(profile.getSegments()).containsExactly(5001L);

    ProfileEvolution.Outcome sameRevision =
        EVOLUTION.onEvent(
            profile,
            event(1, "c_color", "red"),
            taxonomy(1, "{\"id\": 5001, \"name\": \"Shoes\", \"rule\": \"[101T]\"}"));
    assertThat(sameRevision.update())
        .as("nothing this event realized counts for a segment")
        .isNull();

    CompiledTaxonomy second =
        taxonomy(
            2,
            "{\"id\": 5001, \"name\": \"Shoes\", \"rule\": \"[101T]\"},"
                + "{\"id\": 5003, \"name\": \"Also shoes\", \"rule\": \"[101T]\"}");
    ProfileEvolution.Outcome newRevision =
        EVOLUTION.onEvent(sameRevision.profile(), event(2, "c_color", "red"), second);
    assertThat(newRevision.update().getAdded()).containsExactly(5003L);
    assertThat(newRevision.profile().getTaxonomyRevision()).isEqualTo(2);
  }

  @Test
  void aSegmentDeletedFromTheTaxonomyIsLeftOnTheNextEvent() {
    Profile profile =
        EVOLUTION
            .onEvent(
                null,
                event(0, "c_category", "shoes"),
                taxonomy(1, "{\"id\": 5001, \"name\": \"Shoes\", \"rule\": \"[101T]\"}"))
            .profile();

    ProfileEvolution.Outcome outcome =
        EVOLUTION.onEvent(
            profile,
            event(1, "c_color", "red"),
            taxonomy(2, "{\"id\": 5002, \"name\": \"Red\", \"rule\": \"[103T]\"}"));
    assertThat(outcome.update().getRemoved()).containsExactly(5001L);
    assertThat(outcome.update().getAdded()).containsExactly(5002L);
  }

  @Test
  void withinARevisionAnEventChangesOnlyTheSegmentsCountingItsTraitsAndKeepsTheOthers() {
    CompiledTaxonomy taxonomy =
        taxonomy(
            1,
            "{\"id\": 5001, \"name\": \"Shoes\", \"rule\": \"[101T]\"},"
                + "{\"id\": 5002, \"name\": \"Red\", \"rule\": \"[103T]\"}");
    Profile profile = EVOLUTION.onEvent(null, event(0, "c_category", "shoes"), taxonomy).profile();
    ProfileEvolution.Outcome outcome =
        EVOLUTION.onEvent(profile, event(1, "c_color", "red"), taxonomy);

    assertThat(outcome.update().getAdded()).containsExactly(5002L);
    assertThat(outcome.update().getSegments()).containsExactly(5001L, 5002L);
    assertThat(outcome.profile().getNextChange())
        .as("the TTL of the first realization is still known")
        .isEqualTo(T0.plus(java.time.Duration.ofDays(120)).toEpochMilli());
  }
}
