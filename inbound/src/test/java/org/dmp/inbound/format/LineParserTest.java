package org.dmp.inbound.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.TaxonomyFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LineParserTest {
  private static final CompiledTaxonomy TAXONOMY =
      new CompiledTaxonomy(
          TaxonomyFile.parse(
              "inbound",
              """
              {"dataSources": [{"id": 1, "name": "Site"}, {"id": 21, "name": "CRM"},
                               {"id": 20915, "name": "iOS ids"}],
               "traits": [{"id": 101, "name": "Shoes", "dataSource": 1, "type": "onboarded"},
                          {"id": 201, "name": "Gold", "dataSource": 21, "type": "onboarded"},
                          {"id": 202, "name": "Silver", "dataSource": 21, "type": "onboarded"},
                          {"id": 203, "name": "Rich", "dataSource": 21, "type": "rule", "rule": "income > 100"}]}
              """));

  private static LineParser parser(String fileName) {
    return new LineParser(InboundFileName.parse(fileName), TAXONOMY);
  }

  private static final LineParser SYNC = parser("ftp_dpm_21_1764547200.sync");

  @Test
  void aLineRealizesRemovesAndCarriesPairs() {
    InboundLine line =
        SYNC.parse("crm-7\td_sid=201,d_unsid=202,income=150,\"city\"=\"Paris, France\",income=90");

    assertThat(line.userId()).isEqualTo("crm-7");
    assertThat(line.realized()).containsExactly(201L);
    assertThat(line.removed()).containsExactly(202L);
    assertThat(line.signals())
        .isEqualTo(Map.of("income", List.of("150", "90"), "city", List.of("Paris, France")));
  }

  @Test
  void aWindowsLineEndingIsNotPartOfTheLastItem() {
    assertThat(SYNC.parse("crm-7\tcolour=red\r").signals())
        .isEqualTo(Map.of("colour", List.of("red")));
  }

  @Test
  void anOverwriteFileIgnoresRemovals() {
    InboundLine line =
        parser("ftp_dpm_21_1764547200.overwrite").parse("crm-7\td_sid=201,d_unsid=202");

    assertThat(line.realized()).containsExactly(201L);
    assertThat(line.removed()).isEmpty();
  }

  @Test
  void deviceIdsAreNormalizedAndRealizeTheTargetsTraits() {
    InboundLine line = parser("ftp_dpm_20915_21_1764547200.sync").parse("6d92078a-8246\td_sid=201");

    assertThat(line.userId()).isEqualTo("6D92078A-8246");
    assertThat(line.realized()).containsExactly(201L);
  }

  @ParameterizedTest(name = "{index}: {1}")
  @CsvSource(
      delimiter = '|',
      ignoreLeadingAndTrailingWhitespace = false,
      quoteCharacter = '\'',
      value = {
        "crm-7 d_sid=201|no TAB between the user id and the traits",
        "''|an empty line",
        "\td_sid=201|no user id before the TAB",
        "crm 7\td_sid=201|the user id holds whitespace or a control character",
        "crm-7\t|no traits after the user id",
        "crm-7\td_sid=201,,d_sid=202|an empty item (two commas, or a comma at the end)",
        "crm-7\td_sid=201,|an empty item (two commas, or a comma at the end)",
        "crm-7\td_sid=gold|\"d_sid=gold\": the trait id is not a number",
        "crm-7\td_sid=101|\"d_sid=101\": trait 101 is not an onboarded trait of data source 21",
        "crm-7\td_unsid=203|\"d_unsid=203\": trait 203 is not an onboarded trait of data source 21",
        "crm-7\td_sid=999|\"d_sid=999\": trait 999 is not an onboarded trait of data source 21",
        "crm-7\tic=gold|\"ic=gold\": trait integration codes (ic=) are not supported; name traits by d_sid",
        "crm-7\t201|\"201\" is neither d_sid=<trait id>, d_unsid=<trait id> nor key=value",
        "crm-7\t=red|\"=red\": the key is empty",
        "crm-7\t\"city\"=Paris|\"\"city\"=Paris\": a quoted pair must read \"key\"=\"value\"",
        "crm-7\tcity=\"Paris\"|\"city=\"Paris\"\": quote both the key and the value, or neither",
        "crm-7\t\"city=Paris|a quote is not closed"
      })
  void aBadLineIsRejectedWithItsReason(String line, String reason) {
    assertThatThrownBy(() -> SYNC.parse(line))
        .isInstanceOf(InboundLineException.class)
        .hasMessage(reason);
  }

  @Test
  void aUserIdIsBounded() {
    assertThatThrownBy(() -> SYNC.parse("x".repeat(257) + "\td_sid=201"))
        .hasMessage("a user id longer than 256 characters");
    assertThat(SYNC.parse("x".repeat(256) + "\td_sid=201").userId()).hasSize(256);
  }

  @Test
  void aFileOfDataSourcesTheTaxonomyLacksIsRefusedWhole() {
    assertThatThrownBy(() -> parser("ftp_dpm_22_1764547200.sync"))
        .isInstanceOf(InboundFileException.class)
        .hasMessage(
            "the file name \"ftp_dpm_22_1764547200.sync\" names data source 22, which the taxonomy does not have");
    assertThatThrownBy(() -> parser("ftp_dpm_20915_23_1764547200.sync"))
        .hasMessageContaining("names data source 23");
  }
}
