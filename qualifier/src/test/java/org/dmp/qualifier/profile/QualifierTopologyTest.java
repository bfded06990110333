package org.dmp.qualifier.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.dmp.avro.EventSource;
import org.dmp.avro.IdMapping;
import org.dmp.avro.InboundChunk;
import org.dmp.avro.InboundChunkLine;
import org.dmp.avro.PartnerId;
import org.dmp.avro.Population;
import org.dmp.avro.PopulationBucket;
import org.dmp.avro.PopulationKind;
import org.dmp.avro.Profile;
import org.dmp.avro.ProfileUpdate;
import org.dmp.avro.VisitEvent;
import org.dmp.config.ConfigReader;
import org.dmp.config.Settings;
import org.dmp.schemas.Ticks;
import org.dmp.schemas.VisitorId;
import org.dmp.schemas.serde.AvroSerde;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.TaxonomyFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample taxonomy of DESIGN.md through the topology, on event time. */
class QualifierTopologyTest {
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  private static final CompiledTaxonomy SAMPLE = new CompiledTaxonomy(TaxonomyFile.sample());
  private static final Duration GRACE = Duration.ofSeconds(2);

  private final TimeProgress time = TimeProgress.unwatched(GRACE);
  private final PendingLines pending = new PendingLines(Duration.ofDays(30), 2);
  private final ProfileBounds bounds = ProfileBounds.defaults(100);
  private Topics topics;
  private TopologyTestDriver driver;
  private KeyValueStore<String, Profile> profiles;
  private TestInputTopic<String, VisitEvent> visits;
  private TestOutputTopic<String, ProfileUpdate> updates;
  private TestOutputTopic<String, IdMapping> idmap;
  private TestInputTopic<String, InboundChunk> inbound;

  @BeforeEach
  void start(@TempDir Path stateDir) {
    topics =
        Topics.read(
            new ConfigReader(
                Settings.load("test", List.of(Topics.DEFAULTS), Map.of(), List.of(), Map.of())));
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "qualifier-test");
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver =
        new TopologyTestDriver(
            QualifierTopology.build(
                topics,
                () -> SAMPLE,
                bounds,
                new ProcessedOffsets(0, hit -> {}),
                time,
                pending,
                QualifierTopology.Storage.IN_MEMORY,
                Duration.ofSeconds(5)),
            config);
    profiles = driver.getKeyValueStore(QualifierTopology.PROFILES);
    visits =
        driver.createInputTopic(
            topics.name(TopicRole.VISITS),
            Serdes.String().serializer(),
            AvroSerde.of(VisitEvent.class).serializer());
    updates =
        driver.createOutputTopic(
            topics.name(TopicRole.SEGMENTS),
            Serdes.String().deserializer(),
            AvroSerde.of(ProfileUpdate.class).deserializer());
    inbound =
        driver.createInputTopic(
            topics.name(TopicRole.INBOUND),
            Serdes.String().serializer(),
            AvroSerde.of(InboundChunk.class).serializer());
    idmap =
        driver.createOutputTopic(
            topics.name(TopicRole.IDMAP),
            Serdes.String().deserializer(),
            AvroSerde.of(IdMapping.class).deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void aVisitorEntersASegmentOnTheThirdRealization() {
    send(event("v1", T0, Map.of("c_category", List.of("shoes"))));
    send(event("v1", T0.plusSeconds(3600), Map.of("c_category", List.of("shoes"))));
    assertThat(updates.isEmpty()).isTrue();

    VisitEvent third = event("v1", T0.plusSeconds(7200), Map.of("c_category", List.of("shoes")));
    send(third);

    ProfileUpdate update = updates.readValue();
    assertThat(update.getSegments()).containsExactly(5001L);
    assertThat(update.getAdded()).containsExactly(5001L);
    assertThat(update.getRemoved()).isEmpty();
    assertThat(update.getVersion()).isEqualTo(1);
    assertThat(update.getCauseEventId()).isEqualTo(third.getEventId());
    assertThat(update.getTime()).isEqualTo(third.getTime());
  }

  @Test
  void leavingARecencyWindowIsEmittedWithoutTheVisitorComingBack() {
    send(event("v2", T0, Map.of("c_cart", List.of("250"))));
    assertThat(updates.readValue().getAdded()).containsExactly(5002L);

    send(event("someone-else", T0.plus(Duration.ofDays(8)), Map.of("c_other", List.of("1"))));

    ProfileUpdate lapsed = updates.readValue();
    assertThat(lapsed.getVisitorId()).isEqualTo("v2");
    assertThat(lapsed.getRemoved()).containsExactly(5002L);
    assertThat(lapsed.getSegments()).isEmpty();
    assertThat(lapsed.getCauseEventId()).isNull();
    assertThat(lapsed.getVersion()).isEqualTo(2);
    assertThat(lapsed.getTime()).isAfter(T0.plus(Duration.ofDays(7)));
  }

  @Test
  void timeIsTheEventsOwnNotTheKafkaRecordsTimestamp() {
    send(event("v2", T0, Map.of("c_cart", List.of("250"))));
    assertThat(updates.readValue().getAdded()).containsExactly(5002L);

    // Written a month later, as a replay or a producer that leaves the timestamp to its clock
    // would: a day after, by event time.
    VisitEvent dayAfter =
        event("someone-else", T0.plus(Duration.ofDays(1)), Map.of("c_other", List.of("1")));
    visits.pipeInput(dayAfter.getVisitorId(), dayAfter, T0.plus(Duration.ofDays(30)));

    assertThat(updates.isEmpty()).as("v2 is still within the 7-day recency window").isTrue();
  }

  @Test
  void ticksAloneTakeAVisitorOutAtTheExactTimeTheWindowClosesOnceTheGraceHasPassed() {
    send(event("v2", T0, Map.of("c_cart", List.of("250"))));
    assertThat(updates.readValue().getAdded()).containsExactly(5002L);
    Instant windowClosed = T0.plus(Duration.ofDays(7)).plusMillis(1);

    tick(windowClosed.plus(GRACE).minusMillis(1));
    assertThat(updates.isEmpty()).as("a late event may still come within the grace").isTrue();
    tick(windowClosed.plus(GRACE));

    ProfileUpdate lapsed = updates.readValue();
    assertThat(lapsed.getRemoved()).containsExactly(5002L);
    assertThat(lapsed.getCauseEventId()).isNull();
    assertThat(lapsed.getTime()).as("the edge itself, not the tick").isEqualTo(windowClosed);
    assertThat(updates.isEmpty()).isTrue();
    assertThat(idmap.isEmpty()).isTrue();
    try (var all = profiles.all()) {
      assertThat(all).toIterable().extracting(entry -> entry.key).containsExactly("v2");
    }
  }

  @Test
  void aLateEventCountsAtItsOwnTimeButJoinsOnlyWhatStillHoldsNow() {
    Instant present = T0.plus(Duration.ofDays(10));
    tick(present.plus(GRACE));

    send(event("too-late", T0, Map.of("c_cart", List.of("250"))));
    assertThat(updates.isEmpty())
        .as("its 7-day window closed before the partition's present: no join for a moment past")
        .isTrue();
    assertThat(TraitTimes.of(profiles.get("too-late")).asMap())
        .as("the realization is kept at its own time")
        .containsEntry("102", List.of(T0.toEpochMilli()));

    VisitEvent stillRecent =
        event("late", T0.plus(Duration.ofDays(9)), Map.of("c_cart", List.of("250")));
    send(stillRecent);
    ProfileUpdate joined = updates.readValue();
    assertThat(joined.getAdded()).containsExactly(5002L);
    assertThat(joined.getCauseEventId()).isEqualTo(stillRecent.getEventId());
    assertThat(joined.getTime()).as("judged at the present, not back in time").isEqualTo(present);

    send(event("on-time", present.plus(GRACE).minusSeconds(1), Map.of("c_cart", List.of("250"))));
    assertThat(updates.readValue().getAdded()).containsExactly(5002L);
    assertThat(time.lateEvents()).isEqualTo(2);
  }

  @Test
  void aProfileIsNeverJudgedBackInTime() {
    send(event("v5", T0.plus(Duration.ofDays(8)), Map.of("c_cart", List.of("250"))));
    assertThat(updates.readValue().getTime()).isEqualTo(T0.plus(Duration.ofDays(8)));

    // Within the grace of the partition's time, but before the profile's last evaluation: judged
    // then, so the realization already counted still counts and nobody leaves for a moment.
    send(event("v5", T0.plus(Duration.ofDays(8)).minusSeconds(1), Map.of("c_other", List.of("1"))));
    assertThat(updates.isEmpty()).isTrue();
    assertThat(profiles.get("v5").getEvaluatedAt())
        .isEqualTo(T0.plus(Duration.ofDays(8)).toEpochMilli());
  }

  @Test
  void aTraitTtlLapsingTakesTheVisitorOut() {
    for (int i = 0; i < 3; i++) {
      send(event("v4", T0.plusSeconds(i), Map.of("c_category", List.of("shoes"))));
    }
    assertThat(updates.readValue().getAdded()).containsExactly(5001L);

    send(event("someone-else", T0.plus(Duration.ofDays(119)), Map.of("c_other", List.of("1"))));
    assertThat(updates.isEmpty()).as("still within the 120-day TTL").isTrue();
    send(event("someone-else", T0.plus(Duration.ofDays(121)), Map.of("c_other", List.of("1"))));

    assertThat(updates.readValue().getRemoved()).containsExactly(5001L);
  }

  @Test
  void oneTickPastSeveralEdgesOfAProfileEmitsEachAtItsOwnTimeInOrder() {
    for (int i = 0; i < 3; i++) {
      send(event("v5", T0.plusSeconds(i), Map.of("c_category", List.of("shoes"))));
    }
    send(event("v5", T0.plusSeconds(3), Map.of("c_cart", List.of("250"))));
    assertThat(updates.readValuesToList())
        .extracting(ProfileUpdate::getAdded)
        .containsExactly(List.of(5001L), List.of(5002L));

    // A quiet partition's tick, or a replay's end: months at once.
    tick(T0.plus(Duration.ofDays(200)));

    List<ProfileUpdate> lapsed = updates.readValuesToList();
    assertThat(lapsed)
        .extracting(ProfileUpdate::getRemoved)
        .containsExactly(List.of(5002L), List.of(5001L));
    assertThat(lapsed)
        .extracting(ProfileUpdate::getTime)
        .as("the recency window's edge, then the first shoe realization's TTL")
        .containsExactly(
            T0.plusSeconds(3).plus(Duration.ofDays(7)).plusMillis(1),
            T0.plus(Duration.ofDays(120)));
    assertThat(lapsed).extracting(ProfileUpdate::getVersion).containsExactly(3L, 4L);
    Profile stored = profiles.get("v5");
    assertThat(stored.getSegments()).isEmpty();
    assertThat(TraitTimes.of(stored).asMap()).as("every realization has lapsed").isEmpty();
    assertThat(stored.getNextChange()).isNull();
  }

  @Test
  void anOnboardedTraitCanTakeAVisitorOutOfASegment() {
    send(event("v3", T0, Map.of("c_cart", List.of("250"))));
    assertThat(updates.readValue().getAdded()).containsExactly(5002L);

    send(
        VisitEvent.newBuilder(event("v3", T0.plusSeconds(60), Map.of()))
            .setSource(EventSource.ONBOARDING)
            .setRealizedTraits(List.of(201L))
            .build());

    assertThat(updates.readValue().getRemoved()).containsExactly(5002L);
  }

  @Test
  void aPixelRemovesAnOnboardedTraitAndATraitTheTaxonomyLacksIsNotKept() {
    send(event("v4", T0, Map.of("c_cart", List.of("250"))));
    assertThat(updates.readValue().getAdded()).containsExactly(5002L);
    send(
        VisitEvent.newBuilder(event("v4", T0.plusSeconds(60), Map.of()))
            .setRealizedTraits(List.of(201L, 999L))
            .build());
    assertThat(updates.readValue().getRemoved()).containsExactly(5002L);

    send(
        VisitEvent.newBuilder(event("v4", T0.plusSeconds(120), Map.of()))
            .setRemovedTraits(List.of(201L))
            .build());

    ProfileUpdate rejoined = updates.readValue();
    assertThat(rejoined.getAdded()).containsExactly(5002L);
    assertThat(TraitTimes.of(profiles.get("v4")).asMap()).containsOnlyKeys("102");
  }

  @Test
  void traitPopulationsCountAJoinAndALeaveThoughTheProfileIsChangedInPlace() {
    TestOutputTopic<String, Population> populations =
        driver.createOutputTopic(
            topics.name(TopicRole.POPULATIONS),
            Serdes.String().deserializer(),
            AvroSerde.of(Population.class).deserializer());
    send(
        VisitEvent.newBuilder(event("v6", T0, Map.of("c_category", List.of("shoes"))))
            .setRealizedTraits(List.of(201L))
            .build());
    driver.advanceWallClockTime(Duration.ofSeconds(5));
    assertThat(trait(201, populations.readValuesToList()).getMembers()).isEqualTo(1);

    send(
        VisitEvent.newBuilder(event("v6", T0.plusSeconds(60), Map.of()))
            .setRemovedTraits(List.of(201L))
            .build());
    driver.advanceWallClockTime(Duration.ofSeconds(5));

    Population left = trait(201, populations.readValuesToList());
    assertThat(left.getMembers()).isZero();
    assertThat(left.getHourly())
        .extracting(PopulationBucket::getJoins, PopulationBucket::getLeaves)
        .containsExactly(tuple(1L, 1L));
    assertThat(TraitTimes.of(profiles.get("v6")).asMap()).containsOnlyKeys("101");
  }

  private static Population trait(long id, List<Population> written) {
    return written.stream()
        .filter(population -> population.getKind() == PopulationKind.TRAIT)
        .filter(population -> population.getId() == id)
        .reduce((first, second) -> second)
        .orElseThrow(() -> new AssertionError("no population of trait " + id + " in " + written));
  }

  @Test
  void optOutRemovesEverySegmentAndLaterEventsAreIgnored() {
    send(event("v5", T0, Map.of("c_cart", List.of("250"))));
    updates.readValue();

    send(
        VisitEvent.newBuilder(event("v5", T0.plusSeconds(10), Map.of()))
            .setSource(EventSource.OPT_OUT)
            .build());
    ProfileUpdate optOut = updates.readValue();
    var tombstone = updates.readKeyValue();
    send(event("v5", T0.plusSeconds(20), Map.of("c_cart", List.of("300"))));

    assertThat(optOut.getOptedOut()).isTrue();
    assertThat(optOut.getRemoved()).containsExactly(5002L);
    assertThat(optOut.getSegments()).isEmpty();
    assertThat(tombstone.key).isEqualTo("v5");
    assertThat(tombstone.value).as("after the removals, nothing of the visitor stays").isNull();
    assertThat(updates.isEmpty()).isTrue();
    assertThat(profiles.get("v5"))
        .as("only the mark that keeps later events out")
        .isEqualTo(
            Profile.newBuilder()
                .setVisitorId("v5")
                .setVersion(2)
                .setSegments(List.of())
                .setOptedOut(true)
                .build());
  }

  @Test
  void anOptedOutVisitorIsForgottenByItsPartnerIdWhichKeepsItsOtherVisitors() {
    KeyValueStore<String, String> partnerIds =
        driver.getKeyValueStore(QualifierTopology.PARTNER_IDS);
    send(withPartnerId(event("v11", T0, Map.of("c_cart", List.of("250"))), "crm-11"));
    send(
        withPartnerId(event("v12", T0.plusSeconds(1), Map.of("c_cart", List.of("300"))), "crm-11"));
    idmap.readValuesToList();
    assertThat(partnerIds.get("20001/crm-11")).isEqualTo("0:v11,v12");

    send(
        VisitEvent.newBuilder(event("v12", T0.plusSeconds(60), Map.of()))
            .setSource(EventSource.OPT_OUT)
            .build());
    assertThat(idmap.readKeyValuesToList())
        .extracting(
            written -> written.key,
            written -> written.value.getVisitorId(),
            written -> written.value.getForget())
        .as("forgotten, then the id's mapping as it stands: its other visitor")
        .containsExactly(tuple("20001/crm-11", "v12", true), tuple("20001/crm-11", "v11", false));
    assertThat(partnerIds.get("20001/crm-11")).isEqualTo("0:v11");

    send(
        VisitEvent.newBuilder(event("v11", T0.plusSeconds(70), Map.of()))
            .setSource(EventSource.OPT_OUT)
            .build());
    var forgotten = idmap.readKeyValuesToList();
    assertThat(forgotten).hasSize(2);
    assertThat(forgotten.get(0).value.getForget()).isTrue();
    assertThat(forgotten.get(1).key).isEqualTo("20001/crm-11");
    assertThat(forgotten.get(1).value).as("no visitor left: a tombstone").isNull();
    assertThat(partnerIds.get("20001/crm-11")).isNull();
  }

  @Test
  void partnerIdsGoToTheIdMapAndTheProfile() {
    send(
        VisitEvent.newBuilder(event("v6", T0, Map.of()))
            .setPartnerIds(List.of(new PartnerId(20001L, "abc")))
            .build());

    var mapping = idmap.readKeyValue();
    assertThat(mapping.key).isEqualTo("20001/abc");
    assertThat(mapping.value.getVisitorId()).isEqualTo("v6");
    ProfileUpdate update = updates.readValue();
    assertThat(update.getPartnerIds()).containsExactly(new PartnerId(20001L, "abc"));
    assertThat(update.getNewPartnerIds()).containsExactly(new PartnerId(20001L, "abc"));
    assertThat(update.getAdded()).isEmpty();

    // The same id again is nothing new; another region is noted, with the update the event makes.
    send(
        VisitEvent.newBuilder(event("v6", T0.plusSeconds(1), Map.of("c_cart", List.of("250"))))
            .setPartnerIds(List.of(new PartnerId(20001L, "abc")))
            .setRegion(9)
            .build());
    ProfileUpdate qualified = updates.readValue();
    assertThat(qualified.getAdded()).containsExactly(5002L);
    assertThat(qualified.getNewPartnerIds()).isEmpty();
    assertThat(qualified.getRegions()).containsExactly(0, 9);
  }

  @Test
  void dTdpidEvaluatesOnlyThatDataSourcesTraits() {
    for (int i = 0; i < 3; i++) {
      send(
          VisitEvent.newBuilder(
                  event("v7", T0.plusSeconds(i), Map.of("c_category", List.of("shoes"))))
              .setTargetDataSourceId(20001L)
              .build());
    }

    assertThat(updates.isEmpty()).isTrue();
  }

  @Test
  void anOptOutByDeclaredIdOptsOutEveryVisitorOfTheIdBeforeAndAfter() {
    send(withPartnerId(event("v7", T0, Map.of("c_cart", List.of("250"))), "crm-7"));
    send(withPartnerId(event("v8", T0, Map.of("c_cart", List.of("300"))), "crm-7"));
    send(event("v9", T0, Map.of("c_cart", List.of("300"))));
    assertThat(updates.readValuesToList()).hasSize(3);

    VisitEvent byDeclaredId =
        VisitEvent.newBuilder(event(VisitorId.OPTED_OUT, T0.plusSeconds(60), Map.of()))
            .setSource(EventSource.OPT_OUT)
            .setPartnerIds(List.of(new PartnerId(20001L, "crm-7"), new PartnerId(20001L, "nobody")))
            .build();
    send(byDeclaredId);
    // A device that syncs the opted-out id later is opted out too.
    send(
        withPartnerId(
            event("v10", T0.plusSeconds(120), Map.of("c_cart", List.of("300"))), "crm-7"));

    List<ProfileUpdate> after = updates.readValuesToList();
    assertThat(after)
        .filteredOn(update -> update != null && update.getOptedOut())
        .extracting(ProfileUpdate::getVisitorId, ProfileUpdate::getCauseEventId)
        .containsExactlyInAnyOrder(
            tuple("v7", "opt-out:20001/crm-7:v7"),
            tuple("v8", "opt-out:20001/crm-7:v8"),
            tuple("v10", "opt-out:20001/crm-7:v10"));

    assertThat(after.stream().filter(update -> update == null).count())
        .as("each opted-out visitor's record is then a tombstone")
        .isEqualTo(3);
    assertThat(
            driver
                .<String, String>getKeyValueStore(QualifierTopology.PARTNER_IDS)
                .get("20001/crm-7"))
        .as("the id stays opted out; its visitors are forgotten")
        .isEqualTo("1:");
    assertThat(profiles.get(VisitorId.OPTED_OUT)).as("the mark is no visitor").isNull();
    assertThat(profiles.get("v9").getOptedOut()).isFalse();
    assertThat(profiles.get("v10").getOptedOut()).isTrue();
  }

  /**
   * A chunk of data source 20001's file with one line, for {@code user}: a partner id, or a visitor
   * id when the data source sends those.
   */
  private static InboundChunk fileLine(
      String user, Instant time, int line, List<Long> realized, List<Long> removed) {
    return InboundChunk.newBuilder()
        .setEventIdPrefix("file:ftp_dpm_20001_1:")
        .setTime(time)
        .setDataSourceId(20001L)
        .setTargetDataSourceId(20001L)
        .setOverwrite(false)
        .setVisitorIds(false)
        .setLines(List.of(new InboundChunkLine((long) line, user, realized, removed, Map.of())))
        .build();
  }

  private void sendLine(InboundChunk chunk) {
    inbound.pipeInput("ftp_dpm_20001_1", chunk, chunk.getTime());
  }

  @Test
  void anInboundLineWaitsForItsPartnerIdsFirstSyncAndLaterLinesApplyAtOnce() {
    sendLine(fileLine("crm-1", T0, 1, List.of(201L), List.of()));
    assertThat(updates.isEmpty()).isTrue();
    assertThat(pending.counts().waiting()).isEqualTo(1);

    send(
        withPartnerId(event("v11", T0.plusSeconds(60), Map.of("c_cart", List.of("250"))), "crm-1"));
    List<ProfileUpdate> synced = updates.readValuesToList();
    assertThat(synced).extracting(ProfileUpdate::getAdded).contains(List.of(5002L));
    assertThat(synced.get(synced.size() - 1).getRemoved())
        .as("the gold customer the file named is no longer a recent big basket without gold")
        .containsExactly(5002L);
    assertThat(synced.get(synced.size() - 1).getCauseEventId())
        .isEqualTo("file:ftp_dpm_20001_1:1:v11");
    assertThat(pending.counts().released()).isEqualTo(1);

    sendLine(fileLine("crm-1", T0.plusSeconds(120), 2, List.of(), List.of(201L)));
    assertThat(updates.readValue().getAdded()).containsExactly(5002L);
    assertThat(pending.counts().resolved()).isEqualTo(1);
  }

  @Test
  void aLineOfADataSourceThatSendsVisitorIdsGoesToItsVisitorAsItIs() {
    send(event("v13", T0, Map.of("c_cart", List.of("250"))));
    assertThat(updates.readValue().getAdded()).containsExactly(5002L);

    InboundChunk chunk = fileLine("v13", T0.plusSeconds(60), 7, List.of(201L), List.of());
    chunk.setVisitorIds(true);
    sendLine(chunk);

    ProfileUpdate gold = updates.readValue();
    assertThat(gold.getRemoved()).containsExactly(5002L);
    assertThat(gold.getCauseEventId()).isEqualTo("file:ftp_dpm_20001_1:7");
    assertThat(pending.counts().waiting()).isZero();
  }

  @Test
  void waitingLinesAreBoundedPerPartnerIdAndExpireInEventTime() {
    sendLine(fileLine("crm-2", T0, 1, List.of(201L), List.of()));
    sendLine(fileLine("crm-2", T0.plusSeconds(1), 2, List.of(201L), List.of()));
    sendLine(fileLine("crm-2", T0.plusSeconds(2), 3, List.of(201L), List.of()));
    assertThat(pending.counts().dropped()).as("two may wait per partner id here").isEqualTo(1);
    sendLine(fileLine("crm-3", T0, 1, List.of(201L), List.of()));

    // A month and more later in the id map's time, what waited is given up.
    sendLine(fileLine("crm-4", T0.plus(Duration.ofDays(31)), 1, List.of(201L), List.of()));
    assertThat(pending.counts().expired()).isEqualTo(3);
    send(
        withPartnerId(
            event("v12", T0.plus(Duration.ofDays(31)), Map.of("c_cart", List.of("250"))), "crm-3"));

    assertThat(updates.readValuesToList())
        .extracting(ProfileUpdate::getAdded)
        .as("nothing released: v12 stays in the segment that gold would leave")
        .containsExactly(List.of(5002L));
    assertThat(pending.counts().released()).isZero();
  }

  @Test
  void aCorrectionReplacesItsTraitsTimesInItsWindowAndKeepsWhatTheVisitorDidAfter() {
    Instant windowEnd = T0.plus(Duration.ofHours(2));
    send(event("v9", T0, Map.of("c_category", List.of("shoes"))));
    // Live, after the replay's window: the visitor was active while the replay ran.
    send(event("v9", T0.plus(Duration.ofHours(3)), Map.of("c_category", List.of("shoes"))));
    assertThat(updates.isEmpty()).isTrue();

    // The replay found one more shoe page in its window (a rule fixed, say).
    VisitEvent correction = correction("v9", windowEnd, List.of(T0, T0.plus(Duration.ofHours(1))));
    send(correction);

    ProfileUpdate joined = updates.readValue();
    assertThat(joined.getAdded())
        .as("two in the window and the one after it")
        .containsExactly(5001L);
    assertThat(joined.getCorrection()).isEqualTo("replay-r1");
    assertThat(joined.getCauseEventId()).isEqualTo(correction.getEventId());
    assertThat(joined.getOnlyDestinations()).isEmpty();
    assertThat(joined.getTime())
        .as("judged at the profile's present, not at the correction's time")
        .isEqualTo(T0.plus(Duration.ofHours(3)));
    assertThat(TraitTimes.of(profiles.get("v9")).asMap().get("101"))
        .containsExactly(
            T0.toEpochMilli(),
            T0.plus(Duration.ofHours(1)).toEpochMilli(),
            T0.plus(Duration.ofHours(3)).toEpochMilli());

    send(correction);
    assertThat(updates.isEmpty()).as("the same correction again changes nothing").isTrue();

    // A rule that over-realized: the replay keeps only the first time, so the visitor leaves.
    send(correction("v9", windowEnd, List.of(T0)));
    ProfileUpdate left = updates.readValue();
    assertThat(left.getRemoved()).containsExactly(5001L);
    assertThat(TraitTimes.of(profiles.get("v9")).asMap().get("101"))
        .containsExactly(T0.toEpochMilli(), T0.plus(Duration.ofHours(3)).toEpochMilli());
  }

  @Test
  void aBackfillIsSentToItsDestinationsOnlyThoughNothingChanges() {
    for (int hour = 0; hour < 3; hour++) {
      send(event("v10", T0.plus(Duration.ofHours(hour)), Map.of("c_category", List.of("shoes"))));
    }
    ProfileUpdate joined = updates.readValue();
    VisitEvent backfill =
        VisitEvent.newBuilder(correction("v10", T0, List.of()))
            .setCorrection(
                org.dmp.avro.ReplayCorrection.newBuilder()
                    .setRun("backfill-b1")
                    .setFrom(Instant.EPOCH)
                    .setTo(Instant.EPOCH)
                    .setTraitRanges(List.of())
                    .setRealizations(Map.of())
                    .setDestinations(List.of(9001L))
                    .setBackfill(true)
                    .build())
            .build();
    send(backfill);

    ProfileUpdate sent = updates.readValue();
    assertThat(sent.getSegments()).containsExactly(5001L);
    assertThat(sent.getAdded()).isEmpty();
    assertThat(sent.getRemoved()).isEmpty();
    assertThat(sent.getBackfill()).isTrue();
    assertThat(sent.getOnlyDestinations()).containsExactly(9001L);
    assertThat(sent.getCorrection()).isEqualTo("backfill-b1");
    assertThat(sent.getVersion()).isEqualTo(joined.getVersion() + 1);
  }

  /** What dmp replay --apply writes: trait 101 realized at {@code times}, from a day before T0. */
  private static VisitEvent correction(String visitorId, Instant windowEnd, List<Instant> times) {
    return VisitEvent.newBuilder()
        .setEventId("replay-r1:" + visitorId)
        .setVisitorId(visitorId)
        .setTime(windowEnd)
        .setSource(EventSource.REPLAY)
        .setCorrection(
            org.dmp.avro.ReplayCorrection.newBuilder()
                .setRun("replay-r1")
                .setFrom(T0.minus(Duration.ofDays(1)))
                .setTo(windowEnd)
                .setTraitRanges(List.of(101L, 101L))
                .setRealizations(Map.of("101", times.stream().map(Instant::toEpochMilli).toList()))
                .setDestinations(List.of())
                .setBackfill(false)
                .build())
        .build();
  }

  private static VisitEvent withPartnerId(VisitEvent event, String crmId) {
    return VisitEvent.newBuilder(event)
        .setPartnerIds(List.of(new PartnerId(20001L, crmId)))
        .build();
  }

  private void tick(Instant at) {
    visits.pipeInput(null, Ticks.at(at), at);
  }

  private void send(VisitEvent event) {
    visits.pipeInput(event.getVisitorId(), event, event.getTime());
  }

  private static VisitEvent event(
      String visitorId, Instant time, Map<String, List<String>> signals) {
    return VisitEvent.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setVisitorId(visitorId)
        .setTime(time)
        .setSource(EventSource.EDGE)
        .setSignals(signals)
        .build();
  }
}
