package org.dmp.taxonomy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.dmp.avro.BatchMode;
import org.dmp.avro.DataSource;
import org.dmp.avro.DestinationType;
import org.dmp.avro.InboundIds;
import org.dmp.avro.Trait;
import org.dmp.avro.TraitType;
import org.junit.jupiter.api.Test;

class TaxonomyFileTest {

  @Test
  void readsTheTaxonomyOfTheDesign() throws IOException {
    Taxonomy taxonomy = TaxonomyFile.parse("sample", sample());

    assertThat(taxonomy.dataSources()).hasSize(2);
    assertThat(taxonomy.traits())
        .extracting(Trait::getId, Trait::getType, Trait::getTtlDays)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(101L, TraitType.RULE, 120),
            org.assertj.core.groups.Tuple.tuple(102L, TraitType.RULE, 120),
            org.assertj.core.groups.Tuple.tuple(201L, TraitType.ONBOARDED, 120));
    assertThat(taxonomy.traits().get(0).getFolder()).isEqualTo("Retail/Shoes");
    assertThat(taxonomy.segments()).hasSize(2);
    assertThat(taxonomy.destinations())
        .extracting(destination -> destination.getType())
        .containsExactly(
            DestinationType.HTTP,
            DestinationType.BATCH,
            DestinationType.COOKIE,
            DestinationType.URL,
            DestinationType.KAFKA);
    assertThat(taxonomy.destinations().get(0).getHttp().getSigning().getSecretEnv())
        .isEqualTo("PARTNER_SECRET_DSP_ALPHA");
    assertThat(taxonomy.destinations().get(1).getBatch().getMode()).isEqualTo(BatchMode.ITER);
    assertThat(taxonomy.entries().keySet())
        .startsWith("dataSource/1", "dataSource/20001", "trait/101")
        .contains("destination/9005");
  }

  @Test
  void dataSourcesMayNameAnIntegrationCodeAndAnIdSync() {
    Taxonomy taxonomy =
        TaxonomyFile.parse(
            "codes.json",
            """
            {"dataSources": [
              {"id": 1, "name": "Ads", "integrationCode": "DSID_20915"},
              {"id": 2, "name": "CRM", "integrationCode": "crm_id",
               "idSync": {"url": "%http_proto%://crm.example/s?u=${DD_UUID}&c=${GDPR_CONSENT_755}"}}]}
            """);

    DataSources dataSources = new CompiledTaxonomy(taxonomy).dataSources();
    assertThat(dataSources.byIntegrationCode("crm_id")).contains(2L);
    assertThat(dataSources.byIntegrationCode("CRM_ID")).as("codes match exactly").isEmpty();
    assertThat(dataSources.idSyncs())
        .containsExactly(
            new DataSources.IdSync(
                2L, "%http_proto%://crm.example/s?u=${DD_UUID}&c=${GDPR_CONSENT_755}", 7));
  }

  @Test
  void aDataSourceSaysWhetherItsInboundFilesHoldPartnerIdsOrVisitorIds() {
    Taxonomy taxonomy =
        TaxonomyFile.parse(
            "inbound.json",
            """
            {"dataSources": [
              {"id": 1, "name": "CRM"},
              {"id": 2, "name": "Own visitors", "inboundIds": "visitor"}]}
            """);

    assertThat(taxonomy.dataSources())
        .extracting(DataSource::getInboundIds)
        .containsExactly(InboundIds.PARTNER, InboundIds.VISITOR);
    assertThatThrownBy(
            () ->
                TaxonomyFile.parse(
                    "bad.json",
                    """
                    {"dataSources": [{"id": 1, "name": "CRM", "inboundIds": "cookies"}]}
                    """))
        .isInstanceOfSatisfying(
            TaxonomyException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "$.dataSources[0].inboundIds: must be \"partner\" or \"visitor\", was \"cookies\""));
  }

  @Test
  void integrationCodesAreUniqueAndIdSyncsAbsoluteUrls() {
    String broken =
        """
        {"dataSources": [
          {"id": 1, "name": "A", "integrationCode": "same"},
          {"id": 2, "name": "B", "integrationCode": "same", "idSync": {"url": "ftp://x", "ttlDays": 0}},
          {"id": 3, "name": "C", "idSync": {"ttlDays": 3, "every": "day"}}]}
        """;

    assertThatThrownBy(() -> TaxonomyFile.parse("broken.json", broken))
        .isInstanceOfSatisfying(
            TaxonomyException.class,
            e ->
                assertThat(e.problems())
                    .containsExactlyInAnyOrder(
                        "$.dataSources[1].integrationCode: duplicates \"same\" of $.dataSources[0].integrationCode",
                        "$.dataSources[1].idSync.url: must be an absolute http or https URL, was \"ftp://x\"",
                        "$.dataSources[1].idSync.ttlDays: must be a whole number from 1 to 365, was 0",
                        "$.dataSources[2].idSync.url: is required",
                        "$.dataSources[2].idSync.every: unknown field"));
  }

  @Test
  void idSyncsRedirectOnlyToTheHostNamesADataSourceDeclares() {
    Taxonomy taxonomy =
        TaxonomyFile.parse(
            "hosts.json",
            """
            {"dataSources": [
              {"id": 1, "name": "DSP", "redirectHosts": ["Sync.DSP.example", "cdn.dsp.example"],
               "idSync": {"url": "https://match.dsp.example/s?u=${DD_UUID}"}},
              {"id": 2, "name": "CRM"}]}
            """);
    DataSources dataSources = new CompiledTaxonomy(taxonomy).dataSources();

    assertThat(dataSources.redirectHosts(1))
        .containsExactlyInAnyOrder("sync.dsp.example", "cdn.dsp.example", "match.dsp.example");
    assertThat(dataSources.redirectHosts(2)).isEmpty();
    assertThat(dataSources.redirectHosts(3)).isEmpty();
    assertThatThrownBy(
            () ->
                TaxonomyFile.parse(
                    "bad-hosts.json",
                    """
                    {"dataSources": [{"id": 1, "name": "DSP",
                      "redirectHosts": ["https://evil.example/", "a b", 7, "ok.example"]}]}
                    """))
        .isInstanceOfSatisfying(
            TaxonomyException.class,
            e ->
                assertThat(e.problems())
                    .containsExactlyInAnyOrder(
                        "$.dataSources[0].redirectHosts[2]: must be a non-empty string, was 7",
                        "$.dataSources[0].redirectHosts: must hold host names such as"
                            + " sync.partner.example, was \"https://evil.example/\"",
                        "$.dataSources[0].redirectHosts: must hold host names such as"
                            + " sync.partner.example, was \"a b\""));
  }

  @Test
  void aKafkaDestinationMayNotWriteToThePipelinesTopicsNorKafkas() {
    for (String topic : new String[] {"dmp.segments", "dmp.anything", "__consumer_offsets"}) {
      String json =
          """
          {"dataSources": [{"id": 1, "name": "Site"}, {"id": 20001, "name": "DSP"}],
           "segments": [{"id": 5001, "name": "All", "rule": "[101T]"}],
           "traits": [{"id": 101, "name": "Any", "dataSource": 1, "type": "rule", "rule": "c_a == \\"1\\""}],
           "destinations": [{"id": 9005, "name": "topic", "type": "kafka", "topic": "%s",
                             "dataSource": 20001, "mappings": {"5001": "5001"}}]}
          """
              .formatted(topic);
      assertThatThrownBy(() -> TaxonomyFile.parse("topics.json", json))
          .isInstanceOfSatisfying(
              TaxonomyException.class,
              e ->
                  assertThat(e.problems())
                      .containsExactly(
                          "$.destinations[0].topic: must not be one of the pipeline's topics"
                              + " (dmp.*) or Kafka's (__*), was \""
                              + topic
                              + "\""));
    }
  }

  @Test
  void reportsEveryProblemWithItsPath() {
    String broken =
        """
        {
          "dataSources": [{"id": 1, "name": "Site"}, {"id": 1, "name": "Again", "colour": "red"}],
          "traits": [
            {"id": 101, "name": "Shoes", "dataSource": 7, "type": "rule", "rule": "c_category = \\"shoes\\""},
            {"id": 102, "name": "Gold", "dataSource": 1, "type": "onboarded", "rule": "a == 1"},
            {"id": 103, "dataSource": 1, "type": "magic", "ttlDays": -1}
          ],
          "segments": [
            {"id": 5001, "name": "Fans", "rule": "frequency([101T]) >= 3 AND [999T]"},
            {"id": 5002, "name": "Everyone", "rule": "NOT [101T]"}
          ],
          "destinations": [
            {"id": 9001, "name": "DSP", "type": "http", "url": "ftp://x", "mappings": {"5001": "a", "6000": "b"}},
            {"id": 9002, "name": "Pigeon", "type": "pigeon"}
          ],
          "extras": []
        }
        """;

    assertThatThrownBy(() -> TaxonomyFile.parse("broken.json", broken))
        .isInstanceOfSatisfying(
            TaxonomyException.class,
            e ->
                assertThat(e.problems())
                    .containsExactlyInAnyOrder(
                        "$.dataSources[1].id: duplicates the id 1 of $.dataSources[0].id",
                        "$.dataSources[1].colour: unknown field",
                        "$.traits[0].rule: at column 12: '=' is no operator: write ==, !=, <, >, <= or >=",
                        "$.traits[1].rule: an onboarded trait has no rule: its realizations come from onboarding files and d_sid",
                        "$.traits[2].name: is required",
                        "$.traits[2].type: must be \"rule\" or \"onboarded\", was \"magic\"",
                        "$.traits[2].ttlDays: must be a whole number from 0 to 36500, was -1",
                        "$.segments[1].rule: at column 1: this rule qualifies visitors who never realized any of its traits; join it by AND to a positive term such as [101T]",
                        "$.destinations[0].url: must be an absolute http or https URL, was \"ftp://x\"",
                        "$.destinations[0].dataSource: is required for a http destination: its partner ids identify visitors",
                        "$.destinations[1].type: must be one of http, batch, cookie, url, kafka; was \"pigeon\"",
                        "$.extras: unknown field",
                        "$.traits[0].dataSource: refers to data source 7, which the file does not define",
                        "$.segments[0].rule (trait 999T): refers to trait 999, which the file does not define",
                        "$.destinations[0].mappings.6000: refers to segment 6000, which the file does not define"))
        .hasMessageStartingWith("broken.json has 15 problems:");
  }

  @Test
  void refusesWhatIsNotAJsonObject() {
    assertThatThrownBy(() -> TaxonomyFile.parse("x.json", "[1, 2"))
        .isInstanceOfSatisfying(
            TaxonomyException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .satisfies(problem -> assertThat(problem).startsWith("$: not a JSON object")));
  }

  static String sample() throws IOException {
    try (InputStream in =
        TaxonomyFileTest.class.getClassLoader().getResourceAsStream("sample-taxonomy.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
