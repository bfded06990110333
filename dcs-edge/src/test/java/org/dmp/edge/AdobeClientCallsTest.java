package org.dmp.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.dmp.avro.EventSource;
import org.dmp.avro.PartnerId;
import org.dmp.avro.VisitEvent;
import org.dmp.edge.visit.InMemoryVisitLog;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Calls shaped as Adobe's clients send them, built here: the ID service's {@code /id} and {@code
 * /optOutStatus} (VisitorAPI.js 5.x), and the exact URLs of the AEP mobile SDKs' own tests
 * (aepsdk-audience-ios, aepsdk-identity-ios), each answered and checked for what it recorded.
 */
@ExtendWith(VertxExtension.class)
class AdobeClientCallsTest {
  private static final String TAXONOMY =
      """
      {"dataSources": [
         {"id": 1, "name": "Site"},
         {"id": 20915, "name": "Device advertising ids", "integrationCode": "DSID_20915"},
         {"id": 4560, "name": "Documented CRM", "integrationCode": "456"},
         {"id": 30001, "name": "CRM", "integrationCode": "crm_id",
          "idSync": {"url": "https://crm.example/sync?aam=${DD_UUID}&r=%REGION%&gdpr=${GDPR}", "ttlDays": 14}}]}
      """;

  /** What VisitorAPI.js 5.0.1 adds to its {@code /id} call. */
  private static final String VISITOR_API_QUERY =
      "d_visid_ver=5.0.1&d_fieldgroup=MC&d_rtbd=json&d_ver=2&d_orgid=ABC%40AdobeOrg&d_nsid=0"
          + "&ts=1764500000000";

  private final InMemoryVisitLog log = new InMemoryVisitLog();
  private WebClient http;

  @BeforeEach
  void serve(Vertx vertx) throws Exception {
    http = DcsRoutesServer.serve(vertx, log, TAXONOMY);
  }

  @Test
  void theIdServiceGetsTheVisitorsIdRegionBlobAndIdSyncsFromAnotherOrigin() throws Exception {
    HttpResponse<Buffer> answer =
        get("/id?" + VISITOR_API_QUERY + "&gdpr=1", "Origin", "https://shop.example");

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://shop.example");
    assertThat(answer.getHeader("Access-Control-Allow-Credentials")).isEqualTo("true");
    JsonObject json = answer.bodyAsJsonObject();
    String mid = json.getString("d_mid");
    assertThat(mid).matches("[1-9][0-9]{37}");
    assertThat(answer.getHeader("Set-Cookie")).startsWith("dmp=" + mid + ";");
    assertThat(json.getInteger("dcs_region")).isEqualTo(7);
    assertThat(json.getLong("id_sync_ttl")).isEqualTo(604_800L);
    assertThat(json.getString("d_blob")).matches("[A-Za-z0-9_-]{40,}");
    assertThat(json.getString("subdomain")).isEqualTo("dmp");
    assertThat(json.getJsonArray("ibs"))
        .containsExactly(
            new JsonObject()
                .put("id", "30001")
                .put("tag", "img")
                .put(
                    "url",
                    new JsonArray().add("https://crm.example/sync?aam=" + mid + "&r=7&gdpr=1"))
                .put("ttl", 14 * 1440)
                .put("fireURLSync", 1)
                .put("syncOnPage", 0));
    assertThat(json.containsKey("errors")).isFalse();
    assertThat(log.events()).as("a bare /id records nothing").isEmpty();
  }

  @Test
  void theIdServicesMidNamesTheVisitorWhereThirdPartyCookiesAreBlocked() throws Exception {
    String mid = get("/id?" + VISITOR_API_QUERY).bodyAsJsonObject().getString("d_mid");

    // The page sends back what the ID service keeps in its first-party cookie, and no cookie.
    JsonObject again =
        get("/id?" + VISITOR_API_QUERY + "&d_mid=" + mid + "&d_blob=kept-blob").bodyAsJsonObject();
    get("/event?c_a=1&d_mid=" + mid);

    assertThat(again.getString("d_mid")).isEqualTo(mid);
    assertThat(again.getString("d_blob")).isEqualTo("kept-blob");
    assertThat(log.events()).extracting(VisitEvent::getVisitorId).containsExactly(mid);
  }

  @Test
  void customerIdsSetOnTheIdServiceAreRecordedAsAnIdSync() throws Exception {
    HttpResponse<Buffer> answer =
        get(
            "/id?" + VISITOR_API_QUERY + "&d_cid_ic=crm_id%01c-77%011&d_cid_ic=unknown%01x%010",
            "Cookie",
            "dmp=42");

    assertThat(answer.bodyAsJsonObject().getString("d_mid")).isEqualTo("42");
    assertThat(answer.bodyAsJsonObject().getJsonArray("errors"))
        .containsExactly(
            new JsonObject()
                .put("code", 300)
                .put(
                    "msg",
                    "Invalid customer id unknown:x:0: no data source has the integration code"
                        + " 'unknown'"));
    assertThat(log.events())
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.getSource()).isEqualTo(EventSource.ID_SYNC);
              assertThat(event.getVisitorId()).isEqualTo("42");
              assertThat(event.getPartnerIds()).containsExactly(new PartnerId(30001L, "c-77"));
              assertThat(event.getSignals()).isEmpty();
            });
  }

  @Test
  void aRefusedIdCallRecordsNothing() throws Exception {
    HttpResponse<Buffer> answer =
        get("/id?" + VISITOR_API_QUERY + "&d_cid_ic=crm_id%01c-77&d_blob=a&d_blob=b");

    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(answer.bodyAsJsonObject().getString("error"))
        .isEqualTo("d_blob takes exactly one value, got 2");
    assertThat(log.events()).isEmpty();
  }

  @Test
  void anOptedOutVisitorIsToldSoAndNothingIsRecorded() throws Exception {
    JsonObject id =
        get("/id?" + VISITOR_API_QUERY + "&d_cid_ic=crm_id%01c-77", "Cookie", "dmp=NOTARGET")
            .bodyAsJsonObject();
    JsonObject status =
        get("/optOutStatus?d_visid_ver=5.0.1&d_rtbd=json&d_ver=2", "Cookie", "dmp=NOTARGET")
            .bodyAsJsonObject();
    JsonObject notOptedOut =
        get("/optOutStatus?d_visid_ver=5.0.1&d_rtbd=json&d_ver=2", "Cookie", "dmp=42")
            .bodyAsJsonObject();

    assertThat(id.getJsonArray("d_optout")).containsExactly("global");
    assertThat(id.getLong("d_ottl")).isEqualTo(7200L);
    assertThat(id.containsKey("d_mid")).isFalse();
    assertThat(id.getJsonArray("errors").getJsonObject(0).getInteger("code")).isEqualTo(171);
    assertThat(status.getJsonArray("d_optout")).containsExactly("global");
    assertThat(notOptedOut.getJsonArray("d_optout")).isEmpty();
    assertThat(log.events()).isEmpty();
  }

  @Test
  void theIdServiceMayAskForJsonp() throws Exception {
    HttpResponse<Buffer> answer = get("/id?" + VISITOR_API_QUERY + "&d_cb=s_c_il%5B1%5D._setIds");

    assertThat(answer.getHeader("Content-Type")).startsWith("application/javascript");
    assertThat(answer.bodyAsString()).startsWith("s_c_il[1]._setIds({\"d_mid\":").endsWith("});");
  }

  @Test
  void aChildDirectedCallGetsNoCookie() throws Exception {
    HttpResponse<Buffer> answer = get("/event?c_a=1&d_coppa=1&d_rtbd=json");

    assertThat(answer.getHeader("Set-Cookie")).isNull();
    assertThat(log.events())
        .singleElement()
        .satisfies(e -> assertThat(e.getSignals()).containsOnlyKeys("c_a"));
  }

  @Test
  void theAudienceSdksEventCallIsAnsweredAndItsIdsKept() throws Exception {
    // aepsdk-audience-ios: AudienceHitURLTests, with an invalid d_uuid ("testUuid").
    HttpResponse<Buffer> answer =
        get(
            "/event?d_mid=12345567&d_blob=blobValue&dcs_region=9"
                + "&d_cid_ic=DSID_20915%01test_ad_id%011&d_orgid=testOrg@AdobeOrg&d_uuid=testUuid"
                + "&d_ptfm=ios&d_dst=1&d_rtbd=json");

    JsonObject json = answer.bodyAsJsonObject();
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(json.getString("uuid")).isEqualTo("12345567");
    assertThat(json.getJsonArray("errors"))
        .extracting(error -> ((JsonObject) error).getInteger("code"))
        .containsExactly(102);
    assertThat(log.events())
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.getVisitorId()).isEqualTo("12345567");
              assertThat(event.getSignals()).containsOnlyKeys("d_ptfm");
              assertThat(event.getPartnerIds())
                  .containsExactly(new PartnerId(20915L, "test_ad_id"));
            });
  }

  @Test
  void theAudienceSdksSignalWithTraitsIsRecorded() throws Exception {
    get(
        "/event?c_trait=b&d_mid=1234567&d_blob=blobValue&dcs_region=9"
            + "&d_cid_ic=DSID_20915%01test_ad_id%011&d_orgid=testOrg@AdobeOrg&d_ptfm=ios&d_dst=1"
            + "&d_rtbd=json");

    assertThat(log.events())
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.getVisitorId()).isEqualTo("1234567");
              assertThat(event.getSignals())
                  .containsOnlyKeys("c_trait", "d_ptfm")
                  .containsEntry("c_trait", List.of("b"));
            });
  }

  @Test
  void theIdentitySdksIdCallsAreRecordedWithEitherEncodingOfTheSeparator() throws Exception {
    // aepsdk-identity-ios: URL+IdentityTests, and the separator encoded twice by older versions.
    get("/id?d_rtbd=json&d_ver=2&d_orgid=testOrg@AdobeOrg&d_cid_ic=DSID_20915%01test_ad_id%011");
    get("/id?d_rtbd=json&d_ver=2&d_orgid=orgid&d_cid_ic=DSID_20915%2501adid%25011");

    assertThat(log.events())
        .flatExtracting(VisitEvent::getPartnerIds)
        .containsExactly(new PartnerId(20915L, "test_ad_id"), new PartnerId(20915L, "adid"));
  }

  @Test
  void anOptOutByDeclaredIdCarriesTheIdsForTheQualifierToResolve() throws Exception {
    HttpResponse<Buffer> stranger =
        get("/demoptout?d_cid_ic=crm_id%01c-77%011&d_dpid=20915&d_dpuuid=ad-1");
    get("/demoptout.jpg?d_cid=30001%01c-78", "Cookie", "dmp=43");

    assertThat(stranger.getHeader("Set-Cookie")).startsWith("dmp=NOTARGET;");
    assertThat(log.events())
        .extracting(VisitEvent::getSource, VisitEvent::getVisitorId, VisitEvent::getPartnerIds)
        .containsExactlyInAnyOrder(
            tuple(
                EventSource.OPT_OUT,
                "NOTARGET",
                List.of(new PartnerId(30001L, "c-77"), new PartnerId(20915L, "ad-1"))),
            tuple(EventSource.OPT_OUT, "43", List.of()),
            tuple(EventSource.OPT_OUT, "NOTARGET", List.of(new PartnerId(30001L, "c-78"))));
  }

  @Test
  void theSdksOptOutOfAnInvalidUuidStillMarksTheDevice() throws Exception {
    HttpResponse<Buffer> answer = get("/demoptout.jpg?d_uuid=testuuid");

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.getHeader("Set-Cookie")).startsWith("dmp=NOTARGET;");
    assertThat(log.events()).isEmpty();
  }

  /**
   * The example calls of Adobe's DCS documentation (DCS API calls and key formats, declared ids,
   * pixel-based data transfer, opt-out), variable parts filled in: data source 123, and 4560 with
   * the integration code 456. Each is answered and leaves the events it should.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/event?c_key1=val1&c_key2=val2,val3&d_rtbd=json | EDGE | c_key1=[val1] c_key2=[val2, val3] | ",
        "/event?key1=val1&key2=val2&d_dst=1&d_rtbd=json&d_cb=callback | EDGE | key1=[val1] key2=[val2] | ",
        "/event?d_cid=123%01456 | EDGE | | 123:456",
        "/event?d_cid=123%01456&d_cid=789%01012 | EDGE | | 123:456 789:012",
        "/event?d_cid_ic=456%01321 | EDGE | | 4560:321",
        "/event?d_cid_ic=456%01321%011 | EDGE | | 4560:321",
        "/event?d_dpid=123&d_dpuuid=456 | EDGE | | 123:456",
        "/event?d_sid=1234&d_sid=5678&d_unsid=91011 | EDGE | sid=[1234, 5678] unsid=[91011] | ",
        "/demoptout.jpg?d_cid=123%01987 | OPT_OUT | | 123:987",
        "/demoptout?d_cid_ic=456%01321 | OPT_OUT | | 4560:321",
        "/demoptout?d_cid=123%01987&d_cid_ic=456%01321 | OPT_OUT | | 123:987 4560:321",
        "/demoptout.jpg?d_dpuuid=987&d_dpid=123 | OPT_OUT | | 123:987"
      })
  void theCallsOfAdobesDcsDocumentationAreAnswered(
      String uri, EventSource source, String signals, String partnerIds) throws Exception {
    HttpResponse<Buffer> answer = get(uri);

    assertThat(answer.statusCode()).isEqualTo(200);
    if (uri.contains("d_rtbd=json") || uri.contains("d_cb=")) {
      assertThat(answer.bodyAsString()).contains("\"uuid\"").doesNotContain("\"errors\"");
    }
    VisitEvent event = log.events().get(log.events().size() - 1);
    assertThat(event.getSource()).isEqualTo(source);
    List<String> recorded = new ArrayList<>();
    event.getSignals().forEach((key, values) -> recorded.add(key + "=" + values));
    if (!event.getRealizedTraits().isEmpty() || !event.getRemovedTraits().isEmpty()) {
      recorded.add("sid=" + event.getRealizedTraits());
      recorded.add("unsid=" + event.getRemovedTraits());
    }
    assertThat(String.join(" ", recorded)).isEqualTo(signals == null ? "" : signals);
    assertThat(
            event.getPartnerIds().stream()
                .map(id -> id.getDataSourceId() + ":" + id.getPartnerUserId())
                .collect(Collectors.joining(" ")))
        .isEqualTo(partnerIds == null ? "" : partnerIds);
  }

  private HttpResponse<Buffer> get(String uri, String... headers) throws InterruptedException {
    return DcsRoutesServer.get(http, uri, headers);
  }
}
