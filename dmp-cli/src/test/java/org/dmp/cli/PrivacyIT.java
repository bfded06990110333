package org.dmp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.dmp.cli.TailCommandIT.dmp;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dmp.avro.EventSource;
import org.dmp.avro.PartnerId;
import org.dmp.avro.VisitEvent;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.partner.SamplePartner;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.TaxonomyFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Erasure as deployed: {@code dmp privacy delete} by visitor id and by declared id, and an opt-out,
 * each leave nothing that {@code dmp privacy verify} finds but the mark that keeps the choice, and
 * the partner receives each removal.
 */
@ExtendWith(KafkaBrokerExtension.class)
class PrivacyIT {
  @RegisterExtension final SamplePartners partners = new SamplePartners();

  private static final String TAXONOMY =
      """
      {"dataSources": [{"id": 1, "name": "Site tags"}, {"id": 2, "name": "CRM ids"}],
       "traits": [
         {"id": 101, "name": "Shoe page viewer", "dataSource": 1, "type": "rule", "rule": "c_category == \\"shoes\\"", "ttlDays": 30}],
       "segments": [{"id": 5001, "name": "Shoe fans", "rule": "frequency([101T]) >= 1"}],
       "destinations": [
         {"id": 9001, "name": "partner", "type": "http", "dataSource": 2, "url": "%s", "clientId": "c1",
          "mappings": {"5001": "fans"}}]}
      """;
  private static final SecureRandom RANDOM = new SecureRandom();

  @Test
  void deleteAndOptOutLeaveNothingButTheMarkAndPartnersReceiveTheRemovals(
      EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
    SamplePartner partner = partners.start();
    try (Composition composition =
        Composition.create(
            broker,
            dir,
            "privacy",
            TaxonomyFile.parse("privacy", TAXONOMY.formatted(partner.url())))) {
      Topics topics = composition.topics();
      composition.startQualifier(0);
      composition.startPartnerSync();
      String deleted = visitorId();
      String optedOut = visitorId();
      String firstDevice = visitorId();
      String secondDevice = visitorId();
      String crmId = "crm-" + visitorId();
      composition.produce(
          List.of(
              shoes(deleted, "crm-" + deleted),
              shoes(optedOut, "crm-" + optedOut),
              shoes(firstDevice, crmId),
              shoes(secondDevice, crmId)));
      List<String> everyone = List.of(deleted, optedOut, firstDevice, secondDevice);
      await().atMost(Duration.ofSeconds(60)).until(() -> sent(partner, "1").containsAll(everyone));

      List<String> kafka = kafkaArgs(composition, topics);
      TailCommandIT.Run before = privacy(kafka, "verify", "--uuid", deleted);
      assertThat(before.exitCode()).as(before.out()).isEqualTo(1);
      assertThat(before.out())
          .contains("held: " + topics.name(TopicRole.SEGMENTS))
          .contains("held: " + topics.name(TopicRole.IDMAP))
          .contains("-profiles-changelog")
          .contains("-partner-ids-changelog");

      assertThat(privacy(kafka, "delete", "--uuid", deleted).exitCode()).isZero();
      assertThat(privacy(kafka, "optout", "--uuid", optedOut).exitCode()).isZero();
      TailCommandIT.Run byDeclaredId = privacy(kafka, "delete", "--dpid", "2", "--dpuuid", crmId);
      assertThat(byDeclaredId.exitCode()).as(byDeclaredId.err()).isZero();

      await()
          .atMost(Duration.ofSeconds(60))
          .alias("the partner receives every removal")
          .until(() -> sent(partner, "0").containsAll(everyone));
      for (String visitor : everyone) {
        awaitNothingHeld(kafka, visitor, "--uuid", visitor);
      }
      TailCommandIT.Run declared = awaitNothingHeld(kafka, crmId, "--dpid", "2", "--dpuuid", crmId);
      assertThat(declared.out())
          .as("the declared id's opt-out is kept, in the id map and the qualifier's store")
          .contains(
              "opt-out mark (kept so the choice holds; nothing else): "
                  + topics.name(TopicRole.IDMAP))
          .contains("-partner-ids-changelog");
      TailCommandIT.Run after = privacy(kafka, "verify", "--uuid", deleted);
      assertThat(after.out())
          .contains("opt-out mark (kept so the choice holds; nothing else):")
          .contains(
              "superseded, until compaction (gone within PT336H): "
                  + topics.name(TopicRole.SEGMENTS))
          .contains("log (gone within PT2160H): " + topics.name(TopicRole.VISITS) + " (not read)");

      // A later visit of an erased visitor, or of a new device of the erased declared id, leaves
      // nothing either: the erased visitor's events are ignored, the new device is opted out.
      String thirdDevice = visitorId();
      composition.produce(List.of(shoes(deleted, "crm-" + deleted), shoes(thirdDevice, crmId)));
      await().atMost(Duration.ofSeconds(60)).until(() -> sent(partner, "0").contains(thirdDevice));
      awaitNothingHeld(kafka, thirdDevice, "--uuid", thirdDevice);
      TailCommandIT.Run read = privacy(kafka, "verify", "--logs", "--uuid", deleted);
      assertThat(read.exitCode()).as(read.out()).isZero();
      assertThat(read.out())
          .as("its raw events stay in the event log until its retention")
          .containsPattern(
              "log \\(gone within PT2160H\\): "
                  + topics.name(TopicRole.VISITS)
                  + " [1-9]\\d* records");
    }
  }

  @Test
  void requestsNameWhatIsWrongWithTheirOptions() {
    TailCommandIT.Run neither = dmp("privacy", "delete");
    assertThat(neither.exitCode()).isEqualTo(2);
    assertThat(neither.err()).contains("--uuid").contains("--dpid");
    TailCommandIT.Run both =
        dmp("privacy", "verify", "--uuid", "1", "--dpid", "2", "--dpuuid", "x");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("mutually exclusive");
    TailCommandIT.Run spaces = dmp("privacy", "delete", "--dpid", "2", "--dpuuid", "a b");
    assertThat(spaces.exitCode()).isEqualTo(2);
    assertThat(spaces.err()).contains("--dpuuid must be");
    TailCommandIT.Run letters = dmp("privacy", "optout", "--uuid", "abc");
    assertThat(letters.exitCode()).isEqualTo(2);
    assertThat(letters.err()).contains("--uuid");
  }

  private static TailCommandIT.Run awaitNothingHeld(
      List<String> kafka, String who, String... subject) {
    List<String> args = new ArrayList<>(List.of("verify"));
    args.addAll(List.of(subject));
    TailCommandIT.Run[] last = {null};
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              last[0] = privacy(kafka, args.toArray(String[]::new));
              assertThat(last[0].exitCode()).as(who + ": " + last[0].out()).isZero();
            });
    assertThat(last[0].out()).startsWith("Nothing held about ");
    return last[0];
  }

  private static TailCommandIT.Run privacy(List<String> kafka, String... args) {
    List<String> all = new ArrayList<>(List.of("privacy"));
    all.addAll(List.of(args));
    all.addAll(kafka);
    return dmp(all.toArray(String[]::new));
  }

  private static List<String> kafkaArgs(Composition composition, Topics topics) {
    List<String> args = new ArrayList<>(List.of("--bootstrap", composition.bootstrap()));
    for (TopicRole role : TopicRole.values()) {
      args.add("--set");
      args.add("topic." + role.key() + ".name=" + topics.name(role));
    }
    return args;
  }

  /** The visitors the partner was sent as members of "fans" (status 1) or not (0). */
  private static Set<String> sent(SamplePartner partner, String status) {
    Set<String> visitors = new java.util.HashSet<>();
    for (SamplePartner.Received request : partner.received()) {
      visitors.addAll(request.visitors("fans", status));
    }
    return visitors;
  }

  private static String visitorId() {
    return new BigInteger(126, RANDOM).add(BigInteger.TEN.pow(37)).toString();
  }

  private static VisitEvent shoes(String visitor, String crmId) {
    return VisitEvent.newBuilder()
        .setEventId("e-" + visitorId())
        .setVisitorId(visitor)
        .setTime(Instant.now())
        .setSource(EventSource.EDGE)
        .setSignals(Map.of("c_category", List.of("shoes")))
        .setPartnerIds(List.of(new PartnerId(2L, crmId)))
        .build();
  }
}
