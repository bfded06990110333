package org.dmp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.dmp.testing.browser.Browser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;

/** The {@code dmp} script at the repository root, run as a user runs it, over the packaged jar. */
class DmpScriptIT {
  private static final Path REPOSITORY =
      Path.of(System.getProperty("dmp.repository", "..")).toAbsolutePath().normalize();
  private static final Duration START_LIMIT = Duration.ofSeconds(90);

  private Process process;
  private final List<String> stdout = new CopyOnWriteArrayList<>();
  private final List<String> stderr = new CopyOnWriteArrayList<>();
  private final List<Thread> readers = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void helpListsTheSubcommands() throws Exception {
    start("help");

    assertThat(exited()).isTrue();
    assertThat(process.exitValue()).isZero();
    assertThat(String.join("\n", stdout))
        .contains("demo", "broker", "tail", "topics", "edge", "qualifier", "partner-sync");
  }

  @Test
  void brokerServesUntilSigtermThenStopsCleanlyAndKeepsItsData(@TempDir Path dataDir)
      throws Exception {
    start("broker", "--port", "0", "--data-dir", dataDir.toString());

    String address = awaitLine(Pattern.compile("(127\\.0\\.0\\.1:\\d+)")).group(1);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address))) {
      assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
    }
    sigterm();

    assertThat(exited()).as("stopped after SIGTERM").isTrue();
    assertThat(String.join("\n", stderr)).contains("Kafka broker at " + address + " stopped");
    assertThat(dataDir.resolve("kafka-logs/meta.properties")).exists();
  }

  @Test
  void demoStartsEverythingAndPrintsItsUrls(@TempDir Path dataDir) throws Exception {
    start(
        "demo",
        "--kafka-port",
        "0",
        "--edge-port",
        "0",
        "--partner-port",
        "0",
        "--console-port",
        "0",
        "--shop-port",
        "0",
        "--batch-interval",
        "PT2S",
        "--data-dir",
        dataDir.toString());

    Matcher ready =
        awaitLine(
            Pattern.compile(
                "^DMP ready: dcs-edge=(\\S+) qualifier=(\\S+) partner-sync=(\\S+) inbound=(\\S+) shop=(\\S+) console=(\\S+) partner=\\S+ kafka=(\\S+)$"));
    awaitLine(
        Pattern.compile("taxonomy: sample-taxonomy.json applied as revision \\d+ \\(12 items\\)"));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (int service = 1; service <= 4; service++) {
      URI health = URI.create(ready.group(service) + "health/ready");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  http.send(
                              HttpRequest.newBuilder(health).build(),
                              HttpResponse.BodyHandlers.ofString())
                          .statusCode()
                      == 200);
    }
    browseTheShop(
        ready.group(5), URI.create(ready.group(6)), ready.group(7), dataDir.resolve("chromium"));

    TailCommandIT.Run topics = TailCommandIT.dmp("topics", "--bootstrap", ready.group(7));
    assertThat(topics.exitCode()).isZero();
    assertThat(topics.out()).contains("dmp.visits(6)").contains("created now: []");

    // The third shoe page puts visitor 778 in segment 5001, and the same-hit answer says so, with
    // its cookie destination.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              String answer =
                  http.send(
                          HttpRequest.newBuilder(
                                  URI.create(
                                      ready.group(1)
                                          + "event?c_category=shoes&d_rtbd=json&d_cts=2&d_cid=20001%01dsp-778"))
                              .header("Cookie", "dmp=778")
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body();
              return answer.contains("\"segments\":[5001]")
                  && answer.contains(
                      "{\"cn\":\"aam\",\"cv\":\"seg=shoes\",\"ttl\":30,\"dmn\":\"\"}");
            });

    // The ID service's call is answered with the visitor's id and the sample's ID sync.
    JsonObject ids =
        new JsonObject(
            http.send(
                    HttpRequest.newBuilder(
                            URI.create(
                                ready.group(1)
                                    + "id?d_visid_ver=5.0.1&d_fieldgroup=MC&d_rtbd=json&d_ver=2"))
                        .header("Cookie", "dmp=778")
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    assertThat(ids.getString("d_mid")).isEqualTo("778");
    assertThat(ids.getJsonArray("ibs").getJsonObject(0).getJsonArray("url").getString(0))
        .as("the demo's partner answers the ID syncs")
        .matches("http://127\\.0\\.0\\.1:\\d+/sync\\?aam_uuid=778");

    // Visitor 778 has an id at DSP Alpha, so partner sync delivers the change to its real-time
    // endpoint and its topic.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              String record =
                  TailCommandIT.dmp("deliveries", "--visitor", "778", "--bootstrap", ready.group(7))
                      .out();
              return record.contains("destination 9001 (HTTP)  attempt 1  DELIVERED HTTP 200")
                  && record.contains("destination 9005 (KAFKA)");
            });
    assertThat(String.join("\n", stderr))
        .contains("Sample partner: POST from destination 9001 with 1 users");
    // ... and the sample batch destination lists them in the file of a window, in the demo's data
    // folder.
    Path outbox = dataDir.resolve("outbox").resolve("9002");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              try (var files = java.nio.file.Files.list(outbox)) {
                return files
                    .filter(
                        file ->
                            file.getFileName()
                                .toString()
                                .matches("ftp_9002_20001_XYZCustomer_iter_\\d{13}\\.sync"))
                    .anyMatch(file -> readLines(file).contains("dsp-778 5001 "));
              } catch (java.io.IOException notYet) {
                return false;
              }
            });

    // A big basket puts visitor 777 in segment 5002 of the sample taxonomy; opting out takes them
    // out.
    HttpResponse<String> tagCall =
        http.send(
            HttpRequest.newBuilder(URI.create(ready.group(1) + "event?c_cart=250"))
                .header("Cookie", "dmp=777")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(tagCall.statusCode()).isEqualTo(200);
    awaitSegmentsLine(ready.group(7), "\"added\":[5002]");
    assertThat(
            TailCommandIT.dmp("privacy", "optout", "--uuid", "777", "--bootstrap", ready.group(7))
                .exitCode())
        .isZero();
    awaitSegmentsLine(ready.group(7), "\"optedOut\":true");
    sigterm();

    assertThat(exited()).as("stopped after SIGTERM").isTrue();
  }

  /**
   * A browser that reads shoe pages of the demo's shop joins segment 5001: the tag on the pages
   * writes the segment's cookie destination as a first-party cookie, its ID sync gives the sample
   * partner's data source an id for the browser, and the partner receives the delivery. The demo's
   * console link logs the same browser in, and the console shows the visitor in the segment with
   * the delivery. Then a big basket makes the tag fire the pixel destination's URL, and the shop's
   * opt-out link opts the browser out, as the console shows.
   */
  private static void browseTheShop(String shop, URI consoleLink, String kafka, Path profile)
      throws Exception {
    try (Browser browser = new Browser(java.nio.file.Files.createDirectories(profile))) {
      // Every image URL the pages set is noted (and still loaded): that is how the tag fires
      // pixels.
      browser.driver.executeCdpCommand(
          "Page.addScriptToEvaluateOnNewDocument", Map.of("source", PIXEL_RECORDER));
      List<String> shoes = List.of("runner", "loafer", "sneaker");
      int[] page = {0};
      browser.until(
          driver -> {
            // A new shoe page each time, until the same-hit answer carries the segment's cookie.
            browser.open(shop + "product/" + shoes.get(page[0]++ % shoes.size()));
            awaitAnswer(browser);
            return driver.manage().getCookieNamed("aam");
          });
      assertThat(page[0]).as("shoe pages read").isGreaterThanOrEqualTo(3);
      assertThat(browser.driver.manage().getCookieNamed("aam").getValue()).isEqualTo("seg%3Dshoes");
      String visitor = browser.driver.manage().getCookieNamed("dmp").getValue();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  TailCommandIT.dmp("deliveries", "--visitor", visitor, "--bootstrap", kafka)
                      .out()
                      .contains("destination 9001 (HTTP)  attempt 1  DELIVERED HTTP 200"));
      browser.screenshot("demo-shop");

      browser.open(consoleLink.toString());
      browser.find("header nav a[href='/visitors']");
      assertThat(consoleReads(consoleLink.resolve("/api/segments"), browser))
          .as("the session the link opened reads the taxonomy API")
          .contains("\"Shoe fans\"");
      browser.open(consoleLink.resolve("/visitors?visitor=" + visitor).toString());
      browser.awaitText("#visitor-title", "Visitor " + visitor);
      assertThat(browser.awaitText("#segments tbody tr", "Shoe fans").getText()).contains("5001");
      assertThat(browser.awaitText("#deliveries tbody tr", "DELIVERED HTTP 200").getText())
          .contains("9001");
      browser.screenshot("demo-console-visitor");

      // Trait 102 (a basket of 100 or more) puts the browser in segment 5002, whose pixel
      // destination's URL the tag fires from the same-hit answer's dests.
      browser.open(shop + "cart?add=runner");
      browser.until(
          driver -> {
            awaitAnswer(browser);
            if (pixelsFired(browser).stream()
                .anyMatch(url -> url.startsWith("https://px.example/p?s=bb&r="))) {
              return true;
            }
            browser.open(shop + "cart");
            return null;
          });

      browser.find("#optout").click();
      browser.awaitText("#optout", "You are opted out.");
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  consoleReads(consoleLink.resolve("/api/visitors/" + visitor), browser)
                      .contains("\"optedOut\":true"));
      browser.open(consoleLink.resolve("/visitors?visitor=" + visitor).toString());
      browser.awaitText("#visitor-title", "Visitor " + visitor + " (opted out)");
    }
  }

  /** Wraps the image's src setter to note each URL in window.dmpPixels. */
  private static final String PIXEL_RECORDER =
      "(() => { window.dmpPixels = [];"
          + " const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, 'src');"
          + " Object.defineProperty(HTMLImageElement.prototype, 'src', {"
          + " get() { return src.get.call(this); },"
          + " set(url) { window.dmpPixels.push(String(url)); src.set.call(this, url); } }); })();";

  private static void awaitAnswer(Browser browser) {
    browser.until(
        loaded ->
            ((JavascriptExecutor) loaded).executeScript("return window.dmp && window.dmp.answer"));
  }

  private static List<String> pixelsFired(Browser browser) {
    Object fired = browser.driver.executeScript("return window.dmpPixels || []");
    return ((List<?>) fired).stream().map(String::valueOf).toList();
  }

  /** What the console answers the browser's session at {@code uri}, read over plain HTTP. */
  private static String consoleReads(URI uri, Browser browser) throws Exception {
    String session =
        browser.driver.manage().getCookieNamed(org.dmp.console.access.Login.COOKIE).getValue();
    HttpResponse<String> answer =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                HttpRequest.newBuilder(uri)
                    .header("Cookie", org.dmp.console.access.Login.COOKIE + "=" + session)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(200);
    return answer.body();
  }

  @Test
  void demoRefusesAMissingTaxonomyFile(@TempDir Path dataDir) throws Exception {
    start(
        "demo",
        "--data-dir",
        dataDir.toString(),
        "--taxonomy",
        dataDir.resolve("absent.json").toString());

    assertThat(exited()).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(String.join("\n", stderr)).contains("absent.json: no readable file there");
  }

  @Test
  void demoRefusesAnInvalidTaxonomyNamingItsProblems(@TempDir Path dataDir) throws Exception {
    Path file = dataDir.resolve("taxonomy.json");
    java.nio.file.Files.writeString(
        file, "{\"segments\": [{\"id\": 1, \"name\": \"x\", \"rule\": \"[1]\"}]}");
    start("demo", "--data-dir", dataDir.toString(), "--taxonomy", file.toString());

    assertThat(exited()).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(String.join("\n", stderr))
        .contains("$.segments[0].rule: at column 2: expected a trait such as 123T");
  }

  private static List<String> readLines(Path file) {
    try {
      return java.nio.file.Files.readAllLines(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void start(String... args) throws IOException {
    List<String> command = new java.util.ArrayList<>(List.of(REPOSITORY.resolve("dmp").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("DMP_NO_BUILD", "1");
    process = builder.start();
    follow(process.getInputStream(), stdout);
    follow(process.getErrorStream(), stderr);
  }

  private static void awaitSegmentsLine(String bootstrap, String fragment) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                TailCommandIT.dmp(
                        "tail",
                        "dmp.segments",
                        "--bootstrap",
                        bootstrap,
                        "--from-beginning",
                        "--timeout",
                        "2")
                    .out()
                    .lines()
                    .anyMatch(line -> line.contains("\"key\":\"777\"") && line.contains(fragment)));
  }

  /**
   * SIGTERM through the handle: Process.destroy() would also close the pipes we read its last words
   * from.
   */
  private void sigterm() {
    assertThat(process.toHandle().destroy()).isTrue();
  }

  /** Waits for the process to exit and for everything it printed to be read. */
  private boolean exited() throws InterruptedException {
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      return false;
    }
    for (Thread reader : readers) {
      reader.join(TimeUnit.SECONDS.toMillis(10));
    }
    return true;
  }

  private Matcher awaitLine(Pattern pattern) {
    return await()
        .atMost(START_LIMIT)
        .failFast("dmp exited early: " + stderr, () -> !process.isAlive())
        .until(
            () -> stdout.stream().map(pattern::matcher).filter(Matcher::find).findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  private void follow(java.io.InputStream stream, List<String> lines) {
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                in.lines().forEach(lines::add);
              } catch (IOException e) {
                lines.add("(reading failed: " + e + ")");
              }
            });
    reader.setDaemon(true);
    reader.start();
    readers.add(reader);
  }
}
