package org.dmp.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.dmp.avro.DeadLetter;
import org.dmp.avro.ReplayRun;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.taxonomy.TaxonomyView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The console as its users reach it over HTTP: nothing without a login; logins by token, by user
 * and password, and once by link, each opening a session whose cookie a script cannot read and no
 * other site can send; and the taxonomy API, whose changes are checked by the taxonomy file's
 * validator and published as revisions that a service following the topic switches to.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ConsoleIT {
  private static final String TOKEN = ConsoleUnderTest.TOKEN;
  private static final String PASSWORD = ConsoleUnderTest.PASSWORD;

  private final HttpClient anonymous = client();
  private ConsoleUnderTest running;
  private ConsoleMain.Console console;
  private ConsoleConfig config;
  private String base;

  @BeforeEach
  void start(EmbeddedKafkaBroker broker) throws Exception {
    running = ConsoleUnderTest.start(broker);
    console = running.console;
    config = running.config;
    base = running.base;
  }

  @AfterEach
  void stop() throws Exception {
    running.close();
  }

  @Test
  void nothingButTheLoginPageAndTheDocumentWithoutALogin() throws Exception {
    HttpResponse<String> api =
        anonymous.send(get("/api/traits"), HttpResponse.BodyHandlers.ofString());
    assertThat(api.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(api.body()).getString("error")).contains("log in");

    HttpResponse<String> page = anonymous.send(get("/"), HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(302);
    assertThat(page.headers().firstValue("Location")).hasValue("/login");
    assertThat(anonymous.send(get("/login"), HttpResponse.BodyHandlers.ofString()).body())
        .contains("<form method=\"post\" action=\"/login\"");

    HttpResponse<String> document =
        anonymous.send(get("/api/openapi.json"), HttpResponse.BodyHandlers.ofString());
    assertThat(document.statusCode()).isEqualTo(200);
    JsonObject openApi = new JsonObject(document.body());
    assertThat(openApi.getString("openapi")).startsWith("3.");
    assertThat(openApi.getJsonObject("paths").fieldNames())
        .contains("/traits", "/traits/{id}", "/folders/{id}", "/taxonomy");

    HttpResponse<String> bearer =
        anonymous.send(
            HttpRequest.newBuilder(URI.create(base + "/api/traits"))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(bearer.statusCode()).as("the operator token, for scripts").isEqualTo(200);
  }

  @Test
  void aLoginOpensASessionWhoseCookieScriptsCannotReadNorOtherSitesSend() throws Exception {
    HttpResponse<String> wrong =
        anonymous.send(form("/login", "token=not-the-token"), HttpResponse.BodyHandlers.ofString());
    assertThat(wrong.statusCode()).isEqualTo(302);
    assertThat(wrong.headers().firstValue("Location")).hasValue("/login?failed");
    assertThat(wrong.headers().allValues("Set-Cookie")).isEmpty();

    HttpResponse<String> right =
        anonymous.send(form("/login", "token=" + TOKEN), HttpResponse.BodyHandlers.ofString());
    assertThat(right.statusCode()).isEqualTo(302);
    assertThat(right.headers().firstValue("Location")).hasValue("/");
    String cookie = right.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie)
        .startsWith("dmp-console-session=")
        .containsIgnoringCase("; HttpOnly")
        .contains("SameSite=Strict");
    assertThat(cookie)
        .as("plain HTTP: a Secure cookie would not come back")
        .doesNotContain("Secure");

    HttpResponse<String> withCookie =
        anonymous.send(
            HttpRequest.newBuilder(URI.create(base + "/api/segments"))
                .header("Cookie", cookie.substring(0, cookie.indexOf(';')))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(withCookie.statusCode()).isEqualTo(200);
    assertThat(new JsonArray(withCookie.body()).size()).isEqualTo(2);

    HttpResponse<String> behindTls =
        anonymous.send(
            HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/json")
                .header("X-Forwarded-Proto", "https")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"user\": \"ada\", \"password\": \"" + PASSWORD + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(behindTls.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(behindTls.body()).getString("user")).isEqualTo("ada");
    assertThat(behindTls.headers().firstValue("Set-Cookie").orElseThrow()).contains("Secure");

    HttpResponse<String> badPassword =
        anonymous.send(
            HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"user\": \"ada\", \"password\": \"guess\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(badPassword.statusCode()).isEqualTo(401);
  }

  @Test
  void aLoginLinkWorksOnce() throws Exception {
    String link = console.loginLink("127.0.0.1");
    HttpResponse<String> first =
        anonymous.send(
            HttpRequest.newBuilder(URI.create(link)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(first.statusCode()).isEqualTo(302);
    assertThat(first.headers().firstValue("Set-Cookie")).isPresent();

    HttpResponse<String> again =
        anonymous.send(
            HttpRequest.newBuilder(URI.create(link)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(again.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(again.body()).getString("error")).contains("used already");
  }

  @Test
  void aNewSegmentBecomesARevisionThatServicesSwitchTo() throws Exception {
    HttpClient operator = loggedIn();
    HttpResponse<String> before =
        operator.send(get("/api/segments"), HttpResponse.BodyHandlers.ofString());
    long revision = revision(before);

    HttpResponse<String> created =
        operator.send(
            json(
                "POST",
                "/api/segments",
                "{\"name\": \"Shoe fans, recent\", \"folder\": \"Retail/Shoes\", \"rule\": \"frequency([101T] <= 7D) >= 2\"}"),
            HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonObject segment = new JsonObject(created.body());
    assertThat(segment.getLong("id")).as("the next free id").isEqualTo(5003L);
    assertThat(created.headers().firstValue("Location")).hasValue("/api/segments/5003");
    assertThat(revision(created)).isEqualTo(revision + 1);

    try (TaxonomyView service =
        TaxonomyView.follow(
            "console-test", config.common().kafka(), config.common().topics().taxonomy())) {
      service.caughtUp().get();
      assertThat(service.revision()).isEqualTo(revision + 1);
      assertThat(service.get().source().segments())
          .anyMatch(
              item ->
                  item.getId() == 5003L && item.getRule().equals("frequency([101T] <= 7D) >= 2"));
    }
    HttpResponse<String> read =
        operator.send(get("/api/segments/5003"), HttpResponse.BodyHandlers.ofString());
    assertThat(new JsonObject(read.body()).getString("name")).isEqualTo("Shoe fans, recent");
  }

  @Test
  void dataSourcesAndDestinationsAreCreatedChangedAndDeletedLikeTheRest() throws Exception {
    HttpClient operator = loggedIn();
    HttpResponse<String> source =
        send(operator, "POST", "/api/datasources", "{\"name\": \"CRM ids\"}");
    assertThat(source.statusCode()).as(source.body()).isEqualTo(201);
    long sourceId = new JsonObject(source.body()).getLong("id");
    String sourcePath = "/api/datasources/" + sourceId;
    assertThat(source.headers().firstValue("Location")).hasValue(sourcePath);
    HttpResponse<String> renamed =
        send(operator, "PUT", sourcePath, "{\"id\": " + sourceId + ", \"name\": \"CRM user ids\"}");
    assertThat(renamed.statusCode()).as(renamed.body()).isEqualTo(200);
    assertThat(json(operator, sourcePath).getString("name")).isEqualTo("CRM user ids");

    HttpResponse<String> destination =
        send(
            operator,
            "POST",
            "/api/destinations",
            "{\"name\": \"CRM file\", \"type\": \"batch\", \"dataSource\": "
                + sourceId
                + ", \"interval\": \"PT24H\", \"mode\": \"full\", \"outbox\": \"outbox/crm\","
                + " \"syncType\": \"ftp\", \"mappings\": {\"5001\": \"5001\"}}");
    assertThat(destination.statusCode()).as(destination.body()).isEqualTo(201);
    JsonObject created = new JsonObject(destination.body());
    String destinationPath = "/api/destinations/" + created.getLong("id");
    HttpResponse<String> remapped =
        send(
            operator,
            "PUT",
            destinationPath,
            created.put("mappings", new JsonObject().put("5001", "shoe-fans")).encode());
    assertThat(remapped.statusCode()).as(remapped.body()).isEqualTo(200);
    assertThat(json(operator, destinationPath).getJsonObject("mappings"))
        .isEqualTo(new JsonObject().put("5001", "shoe-fans"));

    HttpResponse<String> inUse = send(operator, "DELETE", sourcePath, null);
    assertThat(inUse.statusCode()).as("a destination still names it").isEqualTo(422);
    assertThat(inUse.body()).contains("dataSource");
    assertThat(send(operator, "DELETE", destinationPath, null).statusCode()).isEqualTo(200);
    assertThat(send(operator, "DELETE", sourcePath, null).statusCode()).isEqualTo(200);
    assertThat(statusOf(operator, sourcePath)).isEqualTo(404);
    assertThat(statusOf(operator, destinationPath)).isEqualTo(404);
  }

  @Test
  void everyProblemOfAChangeComesBackAtOnceWithItsPath() throws Exception {
    HttpClient operator = loggedIn();
    long revision =
        revision(operator.send(get("/api/segments"), HttpResponse.BodyHandlers.ofString()));

    HttpResponse<String> invalid =
        operator.send(
            json(
                "PUT",
                "/api/segments/5001",
                "{\"name\": \"\", \"rule\": \"frequency([999T]) >= 1\"}"),
            HttpResponse.BodyHandlers.ofString());
    assertThat(invalid.statusCode()).as(invalid.body()).isEqualTo(422);
    JsonArray problems = new JsonObject(invalid.body()).getJsonArray("problems");
    assertThat(
            problems.stream()
                .map(JsonObject.class::cast)
                .map(problem -> problem.getString("field")))
        .containsExactlyInAnyOrder("name", "rule");
    assertThat(problems.getJsonObject(0).getString("path")).startsWith("$.segments[0].");

    HttpResponse<String> stillInUse =
        operator.send(
            json("DELETE", "/api/traits/101", null), HttpResponse.BodyHandlers.ofString());
    assertThat(stillInUse.statusCode()).isEqualTo(422);
    JsonObject problem =
        new JsonObject(stillInUse.body()).getJsonArray("problems").getJsonObject(0);
    assertThat(problem.getString("path")).isEqualTo("$.segments[0].rule");
    assertThat(problem.getString("message")).contains("101");
    assertThat(problem.containsKey("field")).as("not in the item sent").isFalse();

    HttpResponse<String> stale =
        operator.send(
            HttpRequest.newBuilder(URI.create(base + "/api/traits/102"))
                .header("Content-Type", "application/json")
                .header("If-Match", "\"" + (revision - 1) + "\"")
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"name\": \"Big basket\", \"dataSource\": 1, \"type\": \"rule\", \"rule\": \"c_cart >= 200\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(stale.statusCode()).isEqualTo(412);

    HttpResponse<String> notAnId =
        operator.send(get("/api/traits/shoes"), HttpResponse.BodyHandlers.ofString());
    assertThat(notAnId.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(notAnId.body()).getString("error")).isNotBlank();

    assertThat(revision(operator.send(get("/api/taxonomy"), HttpResponse.BodyHandlers.ofString())))
        .as("nothing refused was published")
        .isEqualTo(revision);
  }

  @Test
  void aFolderMovesWithEverythingInItAndTheWholeFileGoesBothWays() throws Exception {
    HttpClient operator = loggedIn();
    JsonArray folders =
        new JsonArray(
            operator.send(get("/api/folders"), HttpResponse.BodyHandlers.ofString()).body());
    assertThat(folders.stream().map(JsonObject.class::cast).map(folder -> folder.getString("id")))
        .containsExactly("Retail", "Retail/Shoes");

    HttpResponse<String> moved =
        operator.send(
            json(
                "PUT",
                "/api/folders/Retail%2FShoes",
                "{\"name\": \"Footwear\", \"parent\": \"Shop\"}"),
            HttpResponse.BodyHandlers.ofString());
    assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
    assertThat(new JsonObject(moved.body()).getJsonArray("traits").getList()).containsExactly(101);
    JsonObject trait =
        new JsonObject(
            operator.send(get("/api/traits/101"), HttpResponse.BodyHandlers.ofString()).body());
    assertThat(trait.getString("folder")).isEqualTo("Shop/Footwear");
    assertThat(
            operator
                .send(
                    json("DELETE", "/api/folders/Shop", null), HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(409);

    HttpResponse<String> file =
        operator.send(get("/api/taxonomy"), HttpResponse.BodyHandlers.ofString());
    JsonObject taxonomy = new JsonObject(file.body());
    taxonomy.getJsonArray("traits").stream()
        .map(JsonObject.class::cast)
        .filter(item -> item.getLong("id") == 102L)
        .forEach(item -> item.put("rule", "c_cart >= 500"));
    HttpResponse<String> replaced =
        operator.send(
            json("PUT", "/api/taxonomy", taxonomy.encode()), HttpResponse.BodyHandlers.ofString());
    assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
    assertThat(new JsonObject(replaced.body()).getLong("revision")).isEqualTo(revision(file) + 1);
    assertThat(
            TaxonomyFile.parse(
                    "exported",
                    operator
                        .send(get("/api/taxonomy"), HttpResponse.BodyHandlers.ofString())
                        .body())
                .traits())
        .anyMatch(item -> item.getId() == 102L && item.getRule().equals("c_cart >= 500"));
  }

  @Test
  void replayRunsAreListedWithTheirSummaryAndTheirDifferences() throws Exception {
    HttpClient operator = loggedIn();
    ReplayRun run = running.writeReplayRun();

    JsonArray runs =
        new JsonArray(
            operator.send(get("/api/replay/runs"), HttpResponse.BodyHandlers.ofString()).body());
    assertThat(runs.size()).isEqualTo(1);
    JsonObject listed = runs.getJsonObject(0);
    assertThat(listed.getString("state")).isEqualTo("DONE");
    assertThat(listed.getJsonArray("summary").getJsonObject(0))
        .isEqualTo(
            new JsonObject()
                .put("segment", 5001)
                .put("name", "Shoe fans")
                .put("joins", 2)
                .put("leaves", 1)
                .put("stays", 40));

    JsonObject one =
        new JsonObject(
            operator
                .send(get("/api/replay/runs/" + run.getRun()), HttpResponse.BodyHandlers.ofString())
                .body());
    assertThat(one.getInteger("differences")).isEqualTo(3);
    assertThat(one.getJsonArray("samples").getJsonObject(2).getJsonArray("left").getList())
        .containsExactly(5001);
    assertThat(
            operator
                .send(get("/api/replay/runs/nope"), HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(404);
  }

  @Test
  void populationsAreAddedUpOverTheQualifiersPartitions() throws Exception {
    HttpClient operator = loggedIn();
    running.writePopulations();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                json(operator, "/api/populations")
                    .getJsonObject("segments")
                    .getLong("5001", 0L)
                    .equals(2L));
    JsonObject population = json(operator, "/api/populations/segments/5001");
    assertThat(population.getLong("members")).isEqualTo(2);
    // Partition 1 had no one at 10:00 (its first bucket's join came at 11:00); partition 0 had no
    // change at 11:00, so its two members carry over.
    assertThat(population.getJsonArray("hourly"))
        .containsExactly(
            bucket("2026-12-01T10:00:00Z", 2, 0, 2),
            bucket("2026-12-01T11:00:00Z", 1, 0, 3),
            bucket("2026-12-01T12:00:00Z", 0, 1, 2));
    assertThat(population.getJsonArray("daily"))
        .containsExactly(bucket("2026-12-01T00:00:00Z", 3, 1, 2));
    assertThat(statusOf(operator, "/api/populations/traits/101"))
        .as("nothing counted for it")
        .isEqualTo(404);
    assertThat(statusOf(operator, "/api/populations/folders/1")).isEqualTo(400);
  }

  @Test
  void deadLettersAreListedAndResendingNeedsAPartnerSync() throws Exception {
    HttpClient operator = loggedIn();
    DeadLetter letter = running.writeDeadLetter();

    JsonObject listed =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> json(operator, "/api/deadletters?destination=9001"),
                answer -> answer.getInteger("total") == 1);
    JsonObject shown = listed.getJsonArray("letters").getJsonObject(0);
    assertThat(shown.getString("position")).isEqualTo("0:0");
    assertThat(shown.getString("idempotencyKey")).isEqualTo(letter.getIdempotencyKey());
    assertThat(shown.getString("reason")).isEqualTo(letter.getReason());
    assertThat(shown.getJsonArray("updates").getJsonObject(0).getString("partnerUserId"))
        .isEqualTo("p-v1");
    assertThat(json(operator, "/api/deadletters?destination=9002").getInteger("total")).isZero();

    HttpResponse<String> resend =
        operator.send(
            postJson("/api/deadletters/resend", "{\"letters\": [\"0:0\"]}"),
            HttpResponse.BodyHandlers.ofString());
    assertThat(resend.statusCode()).isEqualTo(503);
    assertThat(new JsonObject(resend.body()).getString("error"))
        .contains("console.partner-sync-urls");
    HttpResponse<String> malformed =
        operator.send(
            postJson("/api/deadletters/resend", "{\"letters\": [\"first\"]}"),
            HttpResponse.BodyHandlers.ofString());
    assertThat(malformed.statusCode()).isEqualTo(400);
  }

  private JsonObject json(HttpClient client, String path) throws Exception {
    return new JsonObject(client.send(get(path), HttpResponse.BodyHandlers.ofString()).body());
  }

  private HttpResponse<String> send(HttpClient client, String method, String path, String body)
      throws Exception {
    return client.send(json(method, path, body), HttpResponse.BodyHandlers.ofString());
  }

  private int statusOf(HttpClient client, String path) throws Exception {
    return client.send(get(path), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private static JsonObject bucket(String start, long joins, long leaves, long members) {
    return new JsonObject()
        .put("start", start)
        .put("joins", joins)
        .put("leaves", leaves)
        .put("members", members);
  }

  private HttpClient loggedIn() throws Exception {
    HttpClient client = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
    HttpResponse<String> login =
        client.send(form("/login", "token=" + TOKEN), HttpResponse.BodyHandlers.ofString());
    assertThat(login.statusCode()).isEqualTo(302);
    return client;
  }

  private static HttpClient client() {
    return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  }

  private HttpRequest postJson(String path, String json) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
  }

  private HttpRequest get(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).build();
  }

  private HttpRequest form(String path, String body) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private HttpRequest json(String method, String path, String body) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/json")
        .method(
            method,
            body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static long revision(HttpResponse<?> response) {
    return Long.parseLong(response.headers().firstValue("ETag").orElseThrow().replace("\"", ""));
  }
}
