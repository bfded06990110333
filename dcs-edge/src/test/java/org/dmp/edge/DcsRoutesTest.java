package org.dmp.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.dmp.avro.EventSource;
import org.dmp.avro.VisitEvent;
import org.dmp.edge.visit.InMemoryVisitLog;
import org.dmp.runtime.MainThread;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The DCS route steps and handlers over an in-memory visit log: what each call records and answers,
 * without a broker. {@link EdgeIT} runs the same endpoints on Kafka.
 */
@ExtendWith(VertxExtension.class)
class DcsRoutesTest {
  private static final Duration WAIT = DcsRoutesServer.WAIT;
  private static final Instant NOW = DcsRoutesServer.NOW;
  private static final String PRIVATE_TRAIT_TAXONOMY =
      """
      {"dataSources": [{"id": 1, "name": "Site"},
                       {"id": 20001, "name": "DSP", "redirectHosts": ["p.example"]},
                       {"id": 20002, "name": "Other DSP", "idSync": {"url": "https://sync.other.example/s?u=${DD_UUID}"}}],
       "traits": [{"id": 301, "name": "Rich", "dataSource": 1, "type": "rule", "rule": "p_income >= 50000"}]}
      """;

  private final InMemoryVisitLog log = new InMemoryVisitLog();
  private WebClient http;

  @BeforeEach
  void serveWithDefaults(Vertx vertx) throws Exception {
    http = serve(vertx);
  }

  private WebClient serve(Vertx vertx, String... settings) throws Exception {
    return DcsRoutesServer.serve(vertx, log, PRIVATE_TRAIT_TAXONOMY, settings);
  }

  @Test
  void aPageOnAnotherOriginMayReadTheAnswerWithCredentials() throws Exception {
    HttpResponse<Buffer> answer =
        get("/event?c_a=1&d_rtbd=json", "Origin", "https://shop.example", "Cookie", "dmp=42");

    assertThat(answer.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://shop.example");
    assertThat(answer.getHeader("Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(answer.getHeader("Vary")).isEqualTo("Origin");
    assertThat(answer.bodyAsJsonObject().getString("uuid")).isEqualTo("42");
  }

  @Test
  void aPreflightIsAnsweredWithoutRecordingAnything() throws Exception {
    HttpResponse<Buffer> preflight =
        MainThread.await(
            http.request(io.vertx.core.http.HttpMethod.OPTIONS, "/event")
                .putHeader("Origin", "https://shop.example")
                .putHeader("Access-Control-Request-Method", "POST")
                .putHeader("Access-Control-Request-Headers", "content-type")
                .send(),
            WAIT,
            "OPTIONS");

    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.getHeader("Access-Control-Allow-Origin"))
        .isEqualTo("https://shop.example");
    assertThat(preflight.getHeader("Access-Control-Allow-Methods")).isEqualTo("GET, POST");
    assertThat(preflight.getHeader("Access-Control-Allow-Headers")).isEqualTo("content-type");
    assertThat(log.events()).isEmpty();
  }

  @Test
  void anOriginNotListedIsRecordedButNotShownTheAnswer(Vertx vertx) throws Exception {
    WebClient listed =
        serve(vertx, "--dcs.cors.allowed-origins=https://shop.example, https://www.shop.example");
    HttpResponse<Buffer> allowed =
        MainThread.await(
            listed.get("/event?c_a=1").putHeader("Origin", "https://www.shop.example").send(),
            WAIT,
            "GET");
    HttpResponse<Buffer> other =
        MainThread.await(
            listed.get("/event?c_a=2").putHeader("Origin", "https://evil.example").send(),
            WAIT,
            "GET");
    HttpResponse<Buffer> otherPreflight =
        MainThread.await(
            listed
                .request(io.vertx.core.http.HttpMethod.OPTIONS, "/event")
                .putHeader("Origin", "https://evil.example")
                .putHeader("Access-Control-Request-Method", "POST")
                .send(),
            WAIT,
            "OPTIONS");

    assertThat(allowed.getHeader("Access-Control-Allow-Origin"))
        .isEqualTo("https://www.shop.example");
    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.getHeader("Access-Control-Allow-Origin")).isNull();
    assertThat(otherPreflight.statusCode()).isEqualTo(403);
    assertThat(otherPreflight.bodyAsJsonObject().getString("error"))
        .isEqualTo("origin 'https://evil.example' may not call the edge");
    assertThat(log.events()).hasSize(2);
  }

  @Test
  void behindATrustedTlsProxyTheCookieIsCrossSite(Vertx vertx) throws Exception {
    WebClient proxied = serve(vertx, "--http.trust-forwarded-proto=true");

    String untrusted = get("/event?c_a=1", "X-Forwarded-Proto", "https").getHeader("Set-Cookie");
    String plain =
        MainThread.await(proxied.get("/event?c_a=1").send(), WAIT, "GET").getHeader("Set-Cookie");
    String trusted =
        MainThread.await(
                proxied.get("/event?c_a=1").putHeader("X-Forwarded-Proto", "https").send(),
                WAIT,
                "GET")
            .getHeader("Set-Cookie");

    assertThat(untrusted).doesNotContain("Secure");
    assertThat(plain).doesNotContain("Secure");
    assertThat(trusted).endsWith("; HttpOnly; Secure; SameSite=None");
  }

  @Test
  void aPixelCarriesItsTraitsOnTheEvent() throws Exception {
    get("/event?d_sid=201,202&d_unsid=203&p_income=90000");

    VisitEvent event = log.events().get(0);
    assertThat(event.getRealizedTraits()).containsExactlyInAnyOrder(201L, 202L, 301L);
    assertThat(event.getRemovedTraits()).containsExactly(203L);
  }

  @Test
  void anOptedOutVisitorsJsonAnswerCarriesError171() throws Exception {
    HttpResponse<Buffer> answer = get("/event?c_a=1&d_rtbd=json", "Cookie", "dmp=NOTARGET");

    assertThat(answer.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getInteger("code"))
        .isEqualTo(171);
    assertThat(log.events()).isEmpty();
  }

  @Test
  void theOptOutAlsoAnswersWithoutItsExtension() throws Exception {
    HttpResponse<Buffer> response = get("/demoptout?d_uuid=78");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Set-Cookie")).startsWith("dmp=NOTARGET;");
    assertThat(log.events())
        .singleElement()
        .satisfies(event -> assertThat(event.getVisitorId()).isEqualTo("78"));
  }

  @Test
  void theTagsReferrerAndTheIdServicesCallbackAreTakenAsMeant() throws Exception {
    HttpResponse<Buffer> answer =
        get(
            "/event?c_a=1&h_referer=https%3A%2F%2Fshop.example%2Fshoes%3Fq%3D1&d_cts=1"
                + "&d_cb=s_c_il%5B0%5D._setAudienceManagerFields",
            "Referer", "https://shop.example/");

    assertThat(log.events().get(0).getHttpAttributes())
        .containsEntry("h_referer", "https://shop.example/shoes?q=1");
    assertThat(answer.bodyAsString())
        .startsWith("s_c_il[0]._setAudienceManagerFields({")
        .contains("\"traits\":[")
        .contains("\"segments\":[");
  }

  @Test
  void aCallIsRecordedWithItsVisitorTimeRegionAndPrivateTraitsOnly() throws Exception {
    HttpResponse<Buffer> response =
        get("/event?c_a=1&p_income=90000", "Referer", "https://shop.example/");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).isEqualTo("image/gif");
    VisitEvent event = log.events().get(0);
    assertThat(response.getHeader("Set-Cookie")).startsWith("dmp=" + event.getVisitorId() + ";");
    assertThat(event.getVisitorId()).matches("[1-9][0-9]{37}");
    assertThat(event.getTime()).isEqualTo(NOW);
    assertThat(event.getRegion()).isEqualTo(7);
    assertThat(event.getSource()).isEqualTo(EventSource.EDGE);
    assertThat(event.getSignals()).containsOnlyKeys("c_a");
    assertThat(event.getRealizedTraits()).containsExactly(301L);
    assertThat(event.getHttpAttributes()).containsEntry("h_referer", "https://shop.example/");
  }

  @Test
  void theCookieWinsOverTheDeclaredIdUnlessItIsGarbage() throws Exception {
    get("/event?d_uuid=222", "Cookie", "dmp=111");
    get("/event?d_uuid=222", "Cookie", "dmp=<script>");
    get("/event?d_uuid=333");
    HttpResponse<Buffer> optedOut = get("/event?d_uuid=444&d_rtbd=json", "Cookie", "dmp=NOTARGET");

    assertThat(log.events())
        .extracting(VisitEvent::getVisitorId)
        .containsExactly("111", "222", "333");
    assertThat(optedOut.bodyAsJsonObject().getString("uuid")).isEqualTo("NOTARGET");
  }

  @Test
  void theJsonAnswerCarriesTheEventIdAndRegionAndJsonpWrapsIt() throws Exception {
    HttpResponse<Buffer> json = get("/event?c_a=1&d_rtbd=json&d_uuid=5");
    HttpResponse<Buffer> jsonp = get("/event?c_a=1&d_cb=aam.cb&d_uuid=5");

    assertThat(json.bodyAsJsonObject().getString("tid"))
        .isEqualTo(log.events().get(0).getEventId());
    assertThat(json.bodyAsJsonObject().getInteger("dcs_region")).isEqualTo(7);
    assertThat(jsonp.getHeader("Content-Type")).startsWith("application/javascript");
    assertThat(jsonp.bodyAsString()).startsWith("aam.cb({").endsWith("});");
  }

  @Test
  void aPostedFormIsReadLikeAQuery(Vertx vertx) throws Exception {
    HttpResponse<Buffer> response =
        MainThread.await(
            http.post("/event")
                .putHeader("Content-Type", "application/x-www-form-urlencoded")
                .sendBuffer(Buffer.buffer("c_a=1,2&d_uuid=9")),
            WAIT,
            "POST");
    HttpResponse<Buffer> notAForm =
        MainThread.await(
            http.post("/event")
                .putHeader("Content-Type", "text/plain")
                .sendBuffer(Buffer.buffer("c_a=1")),
            WAIT,
            "POST");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(log.events())
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.getVisitorId()).isEqualTo("9");
              assertThat(event.getSignals()).containsEntry("c_a", List.of("1", "2"));
            });
    assertThat(notAForm.statusCode()).isEqualTo(415);
    assertThat(notAForm.bodyAsJsonObject().getString("error"))
        .contains("application/x-www-form-urlencoded");
  }

  @Test
  void anIdSyncRecordsThePartnerIdAndRedirectsWithTheVisitorId() throws Exception {
    HttpResponse<Buffer> response =
        get(
            "/ibs:dpid=20001&dpuuid=abc&redir=https%3A%2F%2Fp.example%2Fs%3Fu%3D%24%7BDD_UUID%7D",
            "Cookie", "dmp=42");

    assertThat(response.statusCode()).isEqualTo(302);
    assertThat(response.getHeader("Location")).isEqualTo("https://p.example/s?u=42");
    assertThat(log.events())
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.getSource()).isEqualTo(EventSource.ID_SYNC);
              assertThat(event.getPartnerIds())
                  .extracting(id -> id.getDataSourceId() + ":" + id.getPartnerUserId())
                  .containsExactly("20001:abc");
            });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "dpid=20001 to a host of 20002 | /ibs:dpid=20001&dpuuid=a&redir=https%3A%2F%2Fsync.other.example%2Fs | 400",
        "dpid=20001 elsewhere           | /ibs:dpid=20001&dpuuid=a&redir=https%3A%2F%2Fevil.example%2F%24%7BDD_UUID%7D | 400",
        "a data source with no hosts    | /ibs:dpid=1&dpuuid=a&redir=https%3A%2F%2Fp.example%2F | 400",
        "an unknown data source         | /ibs:dpid=777&dpuuid=a&redir=https%3A%2F%2Fp.example%2F | 400",
        "dpid=20002 to its sync host    | /ibs:dpid=20002&dpuuid=a&redir=https%3A%2F%2FSync.Other.example%2Fback | 302",
        "a configured host              | /ibs:dpid=1&dpuuid=a&redir=https%3A%2F%2Fhub.example%2F | 302"
      })
  void anIdSyncRedirectsOnlyToItsDataSourcesHostsOrConfiguredOnes(
      String name, String uri, int status, Vertx vertx) throws Exception {
    WebClient configured = serve(vertx, "--dcs.ibs.redirect-hosts=hub.example");

    HttpResponse<Buffer> response =
        MainThread.await(configured.get(uri).putHeader("Cookie", "dmp=42").send(), WAIT, name);

    assertThat(response.statusCode()).isEqualTo(status);
    if (status == 400) {
      assertThat(response.bodyAsJsonObject().getString("error"))
          .startsWith("redir may only go to a host data source");
      assertThat(response.getHeader("Location")).isNull();
      assertThat(log.events()).as("nothing recorded").isEmpty();
    }
  }

  @Test
  void anOptOutOfAKnownVisitorIsRecordedAndOfAStrangerIsNot() throws Exception {
    HttpResponse<Buffer> known = get("/demoptout.jpg?d_uuid=77");
    HttpResponse<Buffer> stranger = get("/demoptout.jpg");

    assertThat(known.getHeader("Set-Cookie")).startsWith("dmp=NOTARGET;");
    assertThat(stranger.getHeader("Set-Cookie")).startsWith("dmp=NOTARGET;");
    assertThat(log.events())
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.getSource()).isEqualTo(EventSource.OPT_OUT);
              assertThat(event.getVisitorId()).isEqualTo("77");
            });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/event?d_uuid=1&d_uuid=2           | 400 | d_uuid takes exactly one value, got 2",
        "/ibs:dpid=1&dpuuid=2&d_coppa=yes   | 400 | d_coppa must be 1, true, 0 or false, was 'yes'",
        "/demoptout.jpg?d_uuid=1&d_uuid=2   | 400 | d_uuid takes exactly one value, got 2",
        "/event?c_a=%zz                     | 400 | malformed percent-encoding",
        "/ibs:dpid=1                        | 400 | dpuuid is required",
        "/ibs:dpid=1&dpuuid=a%0Ab           | 400 | dpuuid must be 1 to 256 characters without whitespace",
        "/event?d_rtbd=xml                  | 400 | d_rtbd must be 'json'"
      })
  void refusalsAreAnsweredByTheFailureHandlerAndRecordNothing(String uri, int status, String reason)
      throws Exception {
    HttpResponse<Buffer> response = get(uri);

    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.bodyAsJsonObject().getString("error")).startsWith(reason);
    assertThat(log.events()).isEmpty();
  }

  @Test
  void anOverlongUrlGets414() throws Exception {
    HttpResponse<Buffer> response = get("/event?c_a=" + "x".repeat(600));

    assertThat(response.statusCode()).isEqualTo(414);
    assertThat(response.bodyAsJsonObject().getString("error"))
        .isEqualTo("the URL is longer than 512 bytes");
  }

  @Test
  void aLogThatCannotTakeTheEventGives503WithRetryAfter() throws Exception {
    log.refuse("Kafka is unreachable");

    for (String uri : List.of("/event?c_a=1", "/ibs:dpid=1&dpuuid=2")) {
      HttpResponse<Buffer> response = get(uri);
      assertThat(response.statusCode()).as(uri).isEqualTo(503);
      assertThat(response.getHeader("Retry-After")).as(uri).isEqualTo("1");
      assertThat(response.bodyAsJsonObject().getString("error"))
          .as(uri)
          .isEqualTo("Kafka is unreachable");
    }
  }

  @Test
  void anOptOutIsHonouredWhileTheLogCannotTakeItAndReachesTheLogOnceItCan() throws Exception {
    log.refuse("Kafka is unreachable");

    HttpResponse<Buffer> response = get("/demoptout.jpg?d_uuid=3&d_cid=20001%01crm-3");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Set-Cookie")).startsWith("dmp=NOTARGET;");
    assertThat(log.events()).isEmpty();
    log.accept();
    org.awaitility.Awaitility.await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(log.events())
                    .extracting(VisitEvent::getSource, VisitEvent::getVisitorId)
                    .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(EventSource.OPT_OUT, "3"),
                        org.assertj.core.groups.Tuple.tuple(EventSource.OPT_OUT, "NOTARGET")));
  }

  private HttpResponse<Buffer> get(String uri, String... headers) throws InterruptedException {
    return DcsRoutesServer.get(http, uri, headers);
  }
}
