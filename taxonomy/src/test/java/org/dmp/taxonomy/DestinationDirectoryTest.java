package org.dmp.taxonomy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.dmp.taxonomy.DestinationDirectory.CookieDestination;
import org.dmp.taxonomy.DestinationDirectory.UrlDestination;
import org.junit.jupiter.api.Test;

class DestinationDirectoryTest {
  private static final String TAXONOMY =
      """
      {"dataSources": [{"id": 1, "name": "Site"}],
       "traits": [{"id": 101, "name": "T", "dataSource": 1, "type": "rule", "rule": "a == 1"}],
       "segments": [{"id": 5001, "name": "Shoes", "rule": "[101T]"},
                    {"id": 5002, "name": "Sports", "rule": "[101T]"},
                    {"id": 5003, "name": "Young", "rule": "[101T]"},
                    {"id": 5004, "name": "Other", "rule": "[101T]"}],
       "destinations": [
         {"id": 9003, "name": "Standard", "type": "cookie", "cookieName": "aam",
          "mappings": {"5001": "seg=shoes", "5002": "seg=sports", "5003": "age=25"}},
         {"id": 9006, "name": "Serialized", "type": "cookie", "cookieName": "kv", "domain": ".shop.example",
          "serialDelimiter": ",", "pairDelimiter": ";", "ttlDays": 7,
          "mappings": {"5001": "seg=shoes", "5002": "seg=sports", "5003": "age=25"}},
         {"id": 9004, "name": "Pixel per segment", "type": "url",
          "mappings": {"5001": "https://px.example/p?s=%alias%"}},
         {"id": 9007, "name": "Pixel template", "type": "url", "url": "https://tpl.example/p?seg=%ALIAS%",
          "mappings": {"5001": "shoes", "5002": "sports"}}]}
      """;

  private final DestinationDirectory destinations =
      new CompiledTaxonomy(TaxonomyFile.parse("test.json", TAXONOMY)).destinations();

  @Test
  void aCookieDestinationSerializesEveryMappedSegmentIntoOneCookie() {
    assertThat(destinations.cookies(List.of(5001L, 5003L, 5002L, 5004L)))
        .containsExactly(
            new CookieDestination(9003, "aam", "seg=shoes&age=25&seg=sports", 30, ""),
            new CookieDestination(9006, "kv", "seg=shoes,sports;age=25", 7, ".shop.example"));
    assertThat(destinations.cookies(List.of(5004L))).isEmpty();
  }

  @Test
  void aliasIsTheSegmentIdOrUnderATemplateItsMappingValue() {
    assertThat(destinations.urls(5001L))
        .containsExactlyInAnyOrder(
            new UrlDestination(9004, "https://px.example/p?s=%alias%", "5001"),
            new UrlDestination(9007, "https://tpl.example/p?seg=%ALIAS%", "shoes"));
  }

  @Test
  void aUrlTemplateMustPlaceTheAlias() {
    assertThatThrownBy(
            () ->
                TaxonomyFile.parse(
                    "bad.json",
                    """
                    {"segments": [], "destinations": [
                      {"id": 1, "name": "No alias", "type": "url", "url": "https://x.example/p", "mappings": {}},
                      {"id": 2, "name": "Bad delimiter", "type": "cookie", "cookieName": "c",
                       "serialDelimiter": "\\u0001", "mappings": {}}]}
                    """))
        .isInstanceOfSatisfying(
            TaxonomyException.class,
            e ->
                assertThat(e.problems())
                    .containsExactlyInAnyOrder(
                        "$.destinations[0].url: must say where each segment's value goes with %alias%",
                        "$.destinations[1].serialDelimiter: must be 1 to 3 characters without control characters"));
  }
}
