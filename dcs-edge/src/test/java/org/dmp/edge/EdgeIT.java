package org.dmp.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.dmp.avro.EventSource;
import org.dmp.avro.PartnerId;
import org.dmp.avro.VisitEvent;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.runtime.MainThread;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every endpoint of the edge against the embedded broker. */
@ExtendWith({VertxExtension.class, KafkaBrokerExtension.class})
class EdgeIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private EdgeFixture edge;
  private WebClient http;

  @BeforeEach
  void startEdge(Vertx vertx, EmbeddedKafkaBroker broker) throws Exception {
    // No taxonomy here: the sync redirects below go to a host the edge allows itself.
    edge =
        EdgeFixture.start(vertx, broker.bootstrapServers(), "--dcs.ibs.redirect-hosts=dsp.example");
    http =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(edge.port())
                .setFollowRedirects(false));
  }

  @Test
  void aTagCallBecomesOneEventAnsweredWithAPixelAndANewVisitorCookie() throws Exception {
    HttpResponse<Buffer> response =
        get(
            "/event?c_category=shoes&c_color=red,blue&size=42&d_ptfm=ios"
                + "&d_cid=20001%01abc&d_tdpid=1&p_income=hunter2"
                + "&h_referer=https%3A%2F%2Fshop.example%2Fshoes%3Fsize%3D42%2C43",
            "Referer", "https://shop.example/", "User-Agent", "test-browser");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).isEqualTo("image/gif");
    String visitorId = cookie(response);
    assertThat(visitorId).matches("[0-9]{38}");

    ConsumerRecord<String, byte[]> record = edge.readUntil(events -> events.size() == 1).get(0);
    VisitEvent event = EdgeFixture.events(List.of(record)).get(0);
    assertThat(record.key()).isEqualTo(visitorId);
    assertThat(event.getVisitorId()).isEqualTo(visitorId);
    assertThat(event.getSource()).isEqualTo(EventSource.EDGE);
    assertThat(event.getSignals())
        .containsOnlyKeys("c_category", "c_color", "size", "d_ptfm")
        .containsEntry("c_color", List.of("red", "blue"));
    assertThat(event.getHttpAttributes())
        .as("the tag's h_referer (the full page URL) over the header cut to the origin")
        .containsEntry("h_referer", "https://shop.example/shoes?size=42,43")
        .containsEntry("h_user-agent", "test-browser");
    assertThat(event.getPartnerIds()).containsExactly(new PartnerId(20001L, "abc"));
    assertThat(event.getTargetDataSourceId()).isEqualTo(1L);
    assertThat(new String(record.value(), StandardCharsets.ISO_8859_1))
        .doesNotContain("hunter2")
        .doesNotContain("p_income");
  }

  @Test
  void aPostedFormGetsTheDcsJsonWhoseTidIsTheEvent() throws Exception {
    HttpResponse<Buffer> response =
        MainThread.await(
            http.post("/event")
                .putHeader("Cookie", "dmp=12345")
                .sendForm(
                    MultiMap.caseInsensitiveMultiMap()
                        .add("c_category", "shoes")
                        .add("d_rtbd", "json")
                        .add("d_cts", "1")),
            WAIT,
            "POST");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject json = response.bodyAsJsonObject();
    assertThat(json.fieldNames())
        .containsExactlyInAnyOrder(
            "stuff", "dests", "uuid", "dcs_region", "tid", "traits", "segments");
    assertThat(json.getString("uuid")).isEqualTo("12345");
    assertThat(json.getJsonArray("stuff")).isEmpty();
    assertThat(cookie(response)).isEqualTo("12345");
    VisitEvent event = edge.eventsUpTo(any -> true).get(0);
    assertThat(event.getEventId()).isEqualTo(json.getString("tid"));
    assertThat(event.getVisitorId()).isEqualTo("12345");
  }

  @Test
  void aCallbackGetsJsonp() throws Exception {
    HttpResponse<Buffer> response = get("/event?c_a=1&d_cb=window.aam_cb&d_uuid=777");

    assertThat(response.getHeader("Content-Type")).startsWith("application/javascript");
    assertThat(response.bodyAsString())
        .startsWith("window.aam_cb({")
        .endsWith("});")
        .contains("\"uuid\":\"777\"");
  }

  @Test
  void theCookieWinsOverDUuidWhichServesWhenThereIsNoCookie() throws Exception {
    get("/event?c_n=1&d_uuid=222", "Cookie", "dmp=111");
    get("/event?c_n=2&d_uuid=222");

    List<VisitEvent> events =
        edge.readUntil(all -> all.size() == 2).stream()
            .map(r -> EdgeFixture.events(List.of(r)).get(0))
            .toList();
    assertThat(events)
        .extracting(event -> event.getSignals().get("c_n").get(0) + "=" + event.getVisitorId())
        .containsExactlyInAnyOrder("1=111", "2=222");
  }

  @Test
  void anOptedOutVisitorIsAnsweredButNotCollected() throws Exception {
    HttpResponse<Buffer> optedOut = get("/event?c_secret=1&d_rtbd=json", "Cookie", "dmp=NOTARGET");
    get("/event?c_marker=1");

    assertThat(optedOut.statusCode()).isEqualTo(200);
    assertThat(optedOut.bodyAsJsonObject().getString("uuid")).isEqualTo("NOTARGET");
    assertThat(edge.eventsUpTo(event -> event.getSignals().containsKey("c_marker"))).hasSize(1);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/event?c_a=%zz                     | malformed percent-encoding",
        "/event?c_a=%C3%28                  | not valid UTF-8",
        "/event?d_coppa=maybe               | d_coppa must be 1, true, 0 or false",
        "/event?d_tdpid_ic=nobody           | d_tdpid_ic 'nobody' is no data source's integration code",
        "/event?d_cb=alert(document.cookie) | d_cb must be a JavaScript function name",
        "/ibs:dpid=20001                    | dpuuid is required",
        "/ibs:dpid=x&dpuuid=1               | dpid must be a data source id",
        "/ibs:dpid=1&dpuuid=2&redir=javascript:alert(1) | redir must be an absolute http or https URL",
        "/demoptout.jpg?d_uuid=1&d_uuid=2   | d_uuid takes exactly one value, got 2",
        "/id?d_cb=alert(1)                  | d_cb must be a JavaScript function name"
      })
  void badInputGets400WithAReasonAndProducesNothing(String uri, String reason) throws Exception {
    HttpResponse<Buffer> response = get(uri);
    get("/event?c_marker=1");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(response.bodyAsJsonObject().getString("error")).contains(reason);
    assertThat(edge.eventsUpTo(event -> event.getSignals().containsKey("c_marker"))).hasSize(1);
  }

  @Test
  void tooManyOrTooLongKeysGet400() throws Exception {
    String manyKeys = "/event?" + String.join("&", java.util.Collections.nCopies(1001, "c=1"));
    assertThat(get(manyKeys).bodyAsJsonObject().getString("error"))
        .isEqualTo("more than 1000 keys");
    assertThat(get("/event?" + "k".repeat(256) + "=1").statusCode()).isEqualTo(400);
  }

  @Test
  void anOverlongUrlGets414AndAnOverlargeBody413() throws Exception {
    HttpResponse<Buffer> justInside =
        get("/event?c_a=" + "x".repeat(8192 - "/event?c_a=".length()));
    HttpResponse<Buffer> justOutside =
        get("/event?c_a=" + "x".repeat(8193 - "/event?c_a=".length()));
    HttpResponse<Buffer> farOutside = get("/event?c_a=" + "x".repeat(20_000));
    HttpResponse<Buffer> bigBody =
        MainThread.await(
            http.post("/event")
                .putHeader("Content-Type", "application/x-www-form-urlencoded")
                .sendBuffer(Buffer.buffer("c_a=" + "x".repeat(32_768))),
            WAIT,
            "POST");
    HttpResponse<Buffer> notAForm =
        MainThread.await(
            http.post("/event")
                .putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer("{}")),
            WAIT,
            "POST");

    assertThat(justInside.statusCode()).isEqualTo(200);
    assertThat(justOutside.statusCode()).isEqualTo(414);
    assertThat(justOutside.bodyAsJsonObject().getString("error"))
        .contains("longer than 8192 bytes");
    assertThat(farOutside.statusCode()).isEqualTo(414);
    assertThat(bigBody.statusCode()).isEqualTo(413);
    assertThat(bigBody.bodyAsJsonObject().getString("error")).contains("larger than 32768 bytes");
    assertThat(notAForm.statusCode()).isEqualTo(415);
  }

  @Test
  void anIdSyncIsRecordedAndRedirectsWithTheVisitorId() throws Exception {
    HttpResponse<Buffer> redirected =
        get(
            "/ibs:dpid=20001&dpuuid=partner-7&redir=https%3A%2F%2Fdsp.example%2Fsync%3Fuid%3D%24%7BDD_UUID%7D",
            "Cookie", "dmp=4242");
    HttpResponse<Buffer> pixel =
        get("/ibs:dpid=20002&dpuuid=p8&gdpr=1&gdpr_consent=CO123", "Cookie", "dmp=4242");

    assertThat(redirected.statusCode()).isEqualTo(302);
    assertThat(redirected.getHeader("Location")).isEqualTo("https://dsp.example/sync?uid=4242");
    assertThat(pixel.statusCode()).isEqualTo(200);
    assertThat(pixel.getHeader("Content-Type")).isEqualTo("image/gif");
    List<VisitEvent> events = EdgeFixture.events(edge.readUntil(all -> all.size() == 2));
    assertThat(events)
        .allSatisfy(
            event -> {
              assertThat(event.getSource()).isEqualTo(EventSource.ID_SYNC);
              assertThat(event.getVisitorId()).isEqualTo("4242");
            });
    assertThat(events)
        .flatExtracting(VisitEvent::getPartnerIds)
        .containsExactlyInAnyOrder(new PartnerId(20001L, "partner-7"), new PartnerId(20002L, "p8"));
    assertThat(events)
        .filteredOn(event -> event.getSignals().containsKey("d_gdpr"))
        .singleElement()
        .satisfies(
            event -> assertThat(event.getSignals().get("d_gdpr_consent")).containsExactly("CO123"));
  }

  @Test
  void optOutMarksTheBrowserForTenYearsAndTellsThePlatformOnce() throws Exception {
    HttpResponse<Buffer> known = get("/demoptout.jpg", "Cookie", "dmp=9001");
    HttpResponse<Buffer> already = get("/demoptout.jpg", "Cookie", "dmp=NOTARGET");
    HttpResponse<Buffer> unknown = get("/demoptout.jpg");
    get("/event?c_marker=1");

    for (HttpResponse<Buffer> response : List.of(known, already, unknown)) {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.getHeader("Set-Cookie")).startsWith("dmp=NOTARGET; Max-Age=315360000");
    }
    List<VisitEvent> events = edge.eventsUpTo(event -> event.getSignals().containsKey("c_marker"));
    assertThat(events)
        .filteredOn(event -> event.getSource() == EventSource.OPT_OUT)
        .singleElement()
        .satisfies(event -> assertThat(event.getVisitorId()).isEqualTo("9001"));
    assertThat(events).hasSize(2);
  }

  @Test
  void healthAndMetricsAnswer() throws Exception {
    get("/event?c_a=1");

    assertThat(get("/health/ready").statusCode()).isEqualTo(200);
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
    assertThat(get("/metrics").statusCode()).as("without the operator token").isEqualTo(401);
    String metrics = get("/metrics", "Authorization", EdgeFixture.OPERATOR).bodyAsString();
    assertThat(metrics)
        .contains("dmp_edge_requests_total{endpoint=\"event\",status=\"200\"}")
        .contains("dmp_edge_produce_latency_seconds_count")
        .contains("dmp_edge_events_in_flight");
    assertThat(get("/nowhere").statusCode()).isEqualTo(404);
  }

  private HttpResponse<Buffer> get(String uri, String... headers) throws InterruptedException {
    var request = http.get(uri);
    for (int i = 0; i < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
    }
    return MainThread.await(
        request.send(), WAIT, "GET " + uri.substring(0, Math.min(60, uri.length())));
  }

  private static String cookie(HttpResponse<Buffer> response) {
    String setCookie = response.getHeader("Set-Cookie");
    assertThat(setCookie)
        .as("Set-Cookie")
        .isNotNull()
        .startsWith("dmp=")
        .contains("Max-Age=15552000");
    return setCookie.substring(4, setCookie.indexOf(';'));
  }
}
