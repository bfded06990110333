package org.dmp.taxonomy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TaxonomyJsonTest {
  /** Every field the file has, each set otherwise than by default. */
  private static final String EVERY_FIELD =
      """
      {"dataSources": [
         {"id": 1, "name": "Site", "provider": {"url": "https://provider.example/r"},
          "integrationCode": "site", "idSync": {"url": "https://sync.example/s?u=${DD_UUID}", "ttlDays": 3},
          "inboundIds": "visitor", "redirectHosts": ["sync.example", "other.example"]},
         {"id": 2, "name": "CRM"}],
       "traits": [
         {"id": 101, "name": "Shoes", "folder": "Retail/Shoes", "dataSource": 1, "type": "rule",
          "rule": "c_category == \\"shoes\\"", "ttlDays": 0},
         {"id": 201, "name": "Gold", "dataSource": 2, "type": "onboarded", "ttlDays": 400}],
       "segments": [
         {"id": 5001, "name": "Fans", "folder": "Retail", "rule": "[101T] AND NOT [201T]"},
         {"id": 5002, "name": "Gold", "rule": "frequency([201T] <= 3D) >= 1"}],
       "destinations": [
         {"id": 9001, "name": "http", "type": "http", "dataSource": 2, "url": "https://dsp.example/a",
          "clientId": "c", "signing": {"algorithm": "HmacSHA1", "header": "X-S", "secretEnv": "PARTNER_SECRET_X"},
          "mappings": {"5001": "a", "5002": "b"}},
         {"id": 9002, "name": "http, unsigned", "type": "http", "dataSource": 2, "url": "https://dsp.example/b",
          "mappings": {}},
         {"id": 9003, "name": "batch", "type": "batch", "dataSource": 2, "interval": "PT1H", "mode": "full",
          "outbox": "out/x", "syncType": "s3", "pidAlias": "P", "gzip": true, "splitLines": 10,
          "uploadUrl": "https://up.example/u", "mappings": {"5001": "a"}},
         {"id": 9004, "name": "cookie", "type": "cookie", "cookieName": "seg", "domain": "shop.example",
          "ttlDays": 9, "pairDelimiter": ";", "keyValueDelimiter": ":", "serialDelimiter": ",",
          "mappings": {"5001": "k=v"}},
         {"id": 9005, "name": "url template", "type": "url", "url": "https://px.example/p?s=%alias%",
          "mappings": {"5001": "a"}},
         {"id": 9006, "name": "urls", "type": "url", "mappings": {"5002": "https://px.example/q"}},
         {"id": 9007, "name": "topic", "type": "kafka", "topic": "partner.x", "dataSource": 2,
          "mappings": {"5001": "a"}}]}
      """;

  @Test
  void readingWhatItWritesGivesTheSameTaxonomy() {
    for (Taxonomy taxonomy :
        new Taxonomy[] {TaxonomyFile.sample(), TaxonomyFile.parse("every field", EVERY_FIELD)}) {
      String written = TaxonomyJson.write(taxonomy).encodePrettily();

      assertThat(TaxonomyFile.parse("written", written)).as(written).isEqualTo(taxonomy);
    }
  }
}
