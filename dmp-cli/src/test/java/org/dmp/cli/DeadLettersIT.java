package org.dmp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dmp.console.ConsoleMain;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.partner.SamplePartner;
import org.dmp.runtime.RunningService;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.testing.browser.Browser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * A delivery given up on, listed by {@code dmp deadletters list} and on the console's dead letters
 * page, and sent again from both once the partner is well: each time the request it was, under its
 * idempotency key.
 */
@ExtendWith(KafkaBrokerExtension.class)
class DeadLettersIT {
  /** A destination id of this test's own: other tests' letters share the dead-letter topic. */
  private static final long DESTINATION = 9737;

  private static final String TAXONOMY =
      """
      {"dataSources": [{"id": 1, "name": "Site tags"}, {"id": 20001, "name": "CRM"}],
       "traits": [
         {"id": 101, "name": "Shoe page viewer", "dataSource": 1, "type": "rule", "rule": "c_category == \\"shoes\\""}],
       "segments": [{"id": 5001, "name": "Shoe fans", "rule": "[101T]"}],
       "destinations": [
         {"id": %d, "name": "partner", "type": "http", "dataSource": 20001, "url": "%s", "clientId": "c1",
          "mappings": {"5001": "fans"}}]}
      """;

  @RegisterExtension final SamplePartners partners = new SamplePartners();

  @Test
  void aDeadLetterIsListedAndSentAgainUnderItsKeyFromTheConsoleAndTheCommandLine(
      @TempDir Path dir, EmbeddedKafkaBroker broker) throws Exception {
    SamplePartner partner = partners.start();
    partner.failShare(1);
    try (Composition composition =
            Composition.create(
                broker,
                dir,
                "dead-letters",
                TaxonomyFile.parse(
                    "dead-letters.json", TAXONOMY.formatted(DESTINATION, partner.url())));
        Browser browser = new Browser(Files.createDirectories(dir.resolve("chromium")))) {
      Composition.Qualifier qualifier = composition.startQualifier(0);
      RunningService edge = composition.startEdge(qualifier.port());
      RunningService sync = composition.startPartnerSync("--sync.retry.give-up-after=1s");
      String syncUrl = "http://127.0.0.1:" + sync.httpPort();
      ConsoleMain.Console console =
          composition.startConsole("--console.partner-sync-urls=" + syncUrl);

      assertThat(Composition.hit(edge, "c_category=shoes&d_cid=20001%01crm-1", "5151"))
          .isEqualTo(200);

      String bootstrap = "--bootstrap=" + broker.bootstrapServers();
      String destination = "--destination=" + DESTINATION;
      JsonObject letter =
          await()
              .atMost(Composition.START)
              .until(
                  () -> {
                    TailCommandIT.Run listed =
                        TailCommandIT.dmp("deadletters", "list", bootstrap, destination);
                    assertThat(listed.exitCode()).as(listed.err()).isZero();
                    return listed.out().isBlank()
                        ? null
                        : new JsonObject(listed.out().lines().findFirst().orElseThrow());
                  },
                  found -> found != null);
      String key = letter.getString("idempotencyKey");
      assertThat(letter.getString("reason")).contains("HTTP 503");
      assertThat(letter.getJsonArray("updates").getJsonObject(0).getString("partnerUserId"))
          .isEqualTo("crm-1");
      partner.failShare(0);

      browser.open(console.loginLink("127.0.0.1"));
      browser.find("header nav a[href='/deadletters']");
      browser.open(
          "http://127.0.0.1:"
              + console.service().httpPort()
              + "/deadletters?destination="
              + DESTINATION);
      browser.awaitText("#letters tbody tr", key);
      browser
          .find("#letters tbody tr[data-position='" + letter.getString("position") + "'] input")
          .click();
      browser.find("#resend").click();
      browser.awaitText("#letters tbody tr .outcome", "DELIVERED");
      browser.screenshot("console-dead-letters");

      Path token = Files.writeString(dir.resolve("token"), Composition.OPERATOR_TOKEN);
      TailCommandIT.Run resent =
          TailCommandIT.dmp(
              "deadletters",
              "resend",
              bootstrap,
              destination,
              "--partner-sync=" + syncUrl,
              "--operator-token-file=" + token);
      assertThat(resent.exitCode()).as(resent.err()).isZero();
      assertThat(resent.out()).contains("\"outcome\":\"DELIVERED\"").contains("1 of 1");

      List<SamplePartner.Received> received = partner.received();
      assertThat(received)
          .as("every request, the first tries and both sent again, under one key")
          .allSatisfy(request -> assertThat(request.idempotencyKey()).isEqualTo(key));
      assertThat(received.subList(received.size() - 2, received.size()))
          .allSatisfy(
              request -> {
                assertThat(request.status()).isEqualTo(200);
                assertThat(request.body()).isEqualTo(received.get(0).body());
              });
      assertThat(
              TailCommandIT.dmp(
                      "deadletters", "resend", bootstrap, "--partner-sync=" + syncUrl, "x")
                  .err())
          .contains("<partition>:<offset>");
      browser
          .driver
          .findElements(By.cssSelector("#letters tbody tr"))
          .forEach(row -> assertThat(row.getText()).contains(Long.toString(DESTINATION)));
    }
  }
}
