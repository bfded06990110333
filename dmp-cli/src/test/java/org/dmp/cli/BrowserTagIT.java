package org.dmp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.dmp.avro.VisitEvent;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.RunningService;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.testing.browser.Browser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Tags as Adobe's clients run them, in headless Chromium, on a page of another origin than the
 * edge's, against the edge and the qualifier as deployed. The tags are this test's own, built to
 * send what DIL and the ID service send: a credentialed cross-origin XHR each.
 *
 * <p>Chromium and its driver are Debian's: see {@link Browser}.
 */
@ExtendWith(KafkaBrokerExtension.class)
class BrowserTagIT {
  private static final Duration START = Duration.ofSeconds(60);

  private final List<String> partnerSyncs = new CopyOnWriteArrayList<>();
  private final Vertx shop = Vertx.vertx();
  private Composition composition;
  private Browser chromium;
  private WebDriver browser;
  private String page;
  private RunningService running;
  private String edge;

  @BeforeEach
  void start(EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
    page = "http://localhost:" + servePages(shop);
    composition =
        Composition.create(
            broker, dir, "browser", TaxonomyFile.parse("browser.json", taxonomy(page)));
    // The browser's one call must be answered with its segments, however busy the machine.
    running = composition.startEdge(composition.startQualifier(0).port(), "--answers.deadline=5s");
    edge = "http://127.0.0.1:" + running.httpPort();

    chromium = new Browser(Files.createDirectories(dir.resolve("chromium")));
    browser = chromium.driver;
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (chromium != null) {
      chromium.close();
    }
    if (composition != null) {
      composition.close();
    }
    MainThread.await(shop.close(), START, "closing the shop");
  }

  @Test
  void aDilShapedTagOnAnotherOriginReadsTheAnswerAndWritesItsCookies() {
    Composition.awaitFreshAnswers(running);
    String pageUrl = page + "/shop/shoes?color=red&size=42";
    browser.get(pageUrl);

    JsonObject answer = answerOnThePage();
    assertThat(answer.getJsonArray("stuff"))
        .containsExactly(
            new JsonObject().put("cn", "aam").put("cv", "seg=shoes").put("ttl", 30).put("dmn", ""));
    String visitor = answer.getString("uuid");
    JsonObject dest = answer.getJsonArray("dests").getJsonObject(0);
    assertThat(dest.getString("c")).isEqualTo("http://px.example/p?u=" + visitor + "&s=5001");
    assertThat(dest.getString("e")).isEqualTo("https://px.example/p?u=" + visitor + "&s=5001");
    assertThat(dest.getString("y")).isEqualTo("img");
    Cookie written = browser.manage().getCookieNamed("aam");
    assertThat(written).as("the tag wrote the stuff entry as a first-party cookie").isNotNull();
    assertThat(written.getValue()).isEqualTo("seg%3Dshoes");

    VisitEvent event = awaitEvent(e -> e.getVisitorId().equals(visitor));
    assertThat(event.getSignals()).containsOnlyKeys("c_category");
    assertThat(event.getHttpAttributes())
        .as("the full page URL, not the origin the Referer header was cut to")
        .containsEntry("h_referer", pageUrl);
  }

  @Test
  void anIdServiceShapedTagGetsTheMidFiresTheIdSyncsAndIsKnownByItsMid() {
    browser.get(page + "/shop/home");

    JsonObject ids = answerOnThePage();
    String mid = ids.getString("d_mid");
    assertThat(mid).matches("[0-9]{38}");
    assertThat(browser.manage().getCookieNamed("AMCV_test").getValue()).isEqualTo("MCMID%7C" + mid);
    await()
        .atMost(START)
        .untilAsserted(() -> assertThat(partnerSyncs).containsExactly("aam=" + mid + "&gdpr="));
    // The page's next call carried no cookie: it names its visitor by the MID alone.
    VisitEvent event = awaitEvent(e -> e.getSignals().containsKey("c_page"));
    assertThat(event.getVisitorId()).isEqualTo(mid);
  }

  /** The answer the page's tag shows once it has read it. */
  private JsonObject answerOnThePage() {
    new WebDriverWait(browser, START).until(driver -> !driver.getTitle().equals("loading"));
    assertThat(browser.getTitle()).isEqualTo("answered");
    return new JsonObject(browser.findElement(By.id("answer")).getText());
  }

  private VisitEvent awaitEvent(java.util.function.Predicate<VisitEvent> wanted) {
    try (var consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                composition.bootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG,
                UniqueNames.group("browser-reader"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            composition.topics().visits().values().deserializer())) {
      consumer.subscribe(List.of(composition.topics().visits().name()));
      List<VisitEvent> events = new ArrayList<>();
      return await()
          .atMost(START)
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> events.add(record.value()));
                return events.stream().filter(wanted).findFirst().orElse(null);
              },
              found -> found != null);
    }
  }

  /** The shop's pages, and the partner's end of the ID sync, on an origin of their own. */
  private int servePages(Vertx vertx) throws InterruptedException {
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                request -> {
                  switch (request.path()) {
                    case "/shop/shoes" -> html(request.response(), DIL_SHAPED_TAG);
                    case "/shop/home" -> html(request.response(), ID_SERVICE_SHAPED_TAG);
                    case "/sync" -> {
                      partnerSyncs.add(request.query());
                      request.response().setStatusCode(204).end();
                    }
                    default -> request.response().setStatusCode(404).end();
                  }
                });
    return MainThread.await(server.listen(0, "127.0.0.1"), START, "the shop").actualPort();
  }

  private void html(io.vertx.core.http.HttpServerResponse response, String script) {
    response
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .end(
            "<!doctype html><html><head><title>loading</title></head><body><pre id=\"answer\">"
                + "</pre><script>var edge = '"
                + edge
                + "';\n"
                + script
                + "</script></body></html>");
  }

  /**
   * What DIL sends: a form POST of /event with credentials, asking for JSON and URL destinations,
   * with the page's full URL as h_referer; then each stuff entry becomes a first-party cookie.
   */
  private static final String DIL_SHAPED_TAG =
      """
      var body = ['c_category=shoes', 'd_rtbd=json', 'd_jsonv=1', 'd_dst=1', 'd_nsid=0',
                  'h_referer=' + encodeURIComponent(document.location.href)].join('&');
      var xhr = new XMLHttpRequest();
      xhr.open('POST', edge + '/event?d_dil_ver=9.1&_ts=' + Date.now(), true);
      xhr.withCredentials = true;
      xhr.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
      xhr.onload = function () {
        var answer = JSON.parse(xhr.responseText);
        (answer.stuff || []).forEach(function (entry) {
          document.cookie = entry.cn + '=' + encodeURIComponent(entry.cv) + '; path=/; max-age='
              + entry.ttl * 86400;
        });
        document.getElementById('answer').textContent = xhr.responseText;
        document.title = 'answered';
      };
      xhr.onerror = function () { document.title = 'failed ' + xhr.status; };
      xhr.send(body);
      """;

  /**
   * What the ID service sends: GET /id with credentials; it keeps the MID in a first-party cookie,
   * fires the ID syncs, and the page's next call carries the MID.
   */
  private static final String ID_SERVICE_SHAPED_TAG =
      """
      function call(method, url, body, credentials, done) {
        var xhr = new XMLHttpRequest();
        xhr.open(method, edge + url, true);
        xhr.withCredentials = credentials;
        if (body) { xhr.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded'); }
        xhr.onload = function () { done(xhr.responseText); };
        xhr.onerror = function () { document.title = 'failed ' + xhr.status; };
        xhr.send(body);
      }
      call('GET', '/id?d_visid_ver=5.0.1&d_fieldgroup=MC&d_rtbd=json&d_ver=2'
          + '&d_orgid=ABC%40AdobeOrg&d_nsid=0&ts=' + Date.now(), null, true, function (text) {
        var ids = JSON.parse(text);
        document.cookie = 'AMCV_test=' + encodeURIComponent('MCMID|' + ids.d_mid) + '; path=/';
        (ids.ibs || []).forEach(function (sync) {
          sync.url.forEach(function (url) { new Image().src = url; });
        });
        // Without credentials, as where third-party cookies are blocked: only the MID names them.
        call('POST', '/event?d_dil_ver=9.1', 'c_page=home&d_rtbd=json&d_mid=' + ids.d_mid, false,
            function () {
              document.getElementById('answer').textContent = text;
              document.title = 'answered';
            });
      });
      """;

  private static String taxonomy(String page) {
    return """
        {"dataSources": [
           {"id": 1, "name": "Site"},
           {"id": 20001, "name": "Partner", "idSync": {"url": "%s/sync?aam=${DD_UUID}&gdpr=${GDPR}"}}],
         "traits": [{"id": 101, "name": "Shoes", "dataSource": 1, "type": "rule",
                     "rule": "c_category == \\"shoes\\""}],
         "segments": [{"id": 5001, "name": "Shoe page", "rule": "[101T]"}],
         "destinations": [
           {"id": 9003, "name": "Ad server", "type": "cookie", "cookieName": "aam",
            "mappings": {"5001": "seg=shoes"}},
           {"id": 9004, "name": "Pixel", "type": "url",
            "mappings": {"5001": "http://px.example/p?u=%%did%%&s=%%alias%%"}}]}
        """
        .formatted(page);
  }
}
