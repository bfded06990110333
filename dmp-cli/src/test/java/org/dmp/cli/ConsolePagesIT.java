package org.dmp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dmp.console.ConsoleMain;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.partner.SamplePartner;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.RunningService;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.testing.browser.Browser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The console's destinations page in a real browser, over the composition: a partner that goes down
 * turns its destination RETRYING with the failure, and it is UP again, with its delivery and its
 * latency, once the partner is back; a destination that cannot run is FAILED with the reason.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ConsolePagesIT {
  private static final String TAXONOMY =
      """
      {"dataSources": [{"id": 1, "name": "Site tags"}, {"id": 20001, "name": "CRM"}],
       "traits": [
         {"id": 101, "name": "Shoe page viewer", "dataSource": 1, "type": "rule", "rule": "c_category == \\"shoes\\"", "ttlDays": 30}],
       "segments": [{"id": 5001, "name": "Shoe fans", "rule": "frequency([101T]) >= 1"}],
       "destinations": [
         {"id": 9001, "name": "partner", "type": "http", "dataSource": 20001, "url": "%1$s", "clientId": "c1",
          "mappings": {"5001": "fans"}},
         {"id": 9002, "name": "files", "type": "batch", "dataSource": 20001, "interval": "PT2S", "mode": "iter",
          "outbox": "outbox", "syncType": "ftp", "mappings": {"5001": "fans"}},
         {"id": 9003, "name": "signed", "type": "http", "dataSource": 20001, "url": "%1$s", "clientId": "c3",
          "signing": {"algorithm": "HmacSHA256", "header": "X-Signature", "secretEnv": "DMP_OPERATOR_TOKEN"},
          "mappings": {"5001": "fans"}}]}
      """;

  @RegisterExtension final SamplePartners partners = new SamplePartners();

  @Test
  void aFailingPartnerTurnsRetryingAndTheVisitorShowsEveryAttempt(
      @TempDir Path dir, EmbeddedKafkaBroker broker) throws Exception {
    SamplePartner partner = partners.start();
    try (Composition composition =
            Composition.create(
                broker,
                dir,
                "console-destinations",
                TaxonomyFile.parse("destinations.json", TAXONOMY.formatted(partner.url())));
        Browser browser = new Browser(Files.createDirectories(dir.resolve("chromium")))) {
      Composition.Qualifier qualifier = composition.startQualifier(0);
      RunningService edge = composition.startEdge(qualifier.port());
      RunningService sync =
          composition.startPartnerSync(
              "--sync.batch.spool-dir=" + dir.resolve("spool"),
              "--sync.batch.outbox-root=" + dir,
              "--sync.batch.grace=500ms");
      ConsoleMain.Console console =
          composition.startConsole(
              "--console.partner-sync-urls=http://127.0.0.1:" + sync.httpPort(),
              "--console.qualifier-url=http://127.0.0.1:" + qualifier.port());

      browser.open(console.loginLink("127.0.0.1"));
      browser.awaitText("#traits tbody tr", "Shoe page viewer");
      browser.find("header nav a[href='/destinations']").click();
      browser.awaitText("#destinations tr[data-id='9001'] .state", "UP");
      // A taxonomy may not name the operator's secret as a partner's: that destination cannot run.
      browser.awaitText("#destinations tr[data-id='9003'] .state", "FAILED");
      browser.awaitText(
          "#destinations tr[data-id='9003'] + tr.detail",
          "DMP_OPERATOR_TOKEN does not start with sync.signing.secret-env-prefix");

      MainThread.await(partner.goDown(), Composition.START, "taking the partner down");
      assertThat(Composition.hit(edge, "c_category=shoes&d_cid=20001%01crm-1", "4242"))
          .isEqualTo(200);
      browser.awaitText("#destinations tr[data-id='9001'] .state", "RETRYING");
      // The table is redrawn every two seconds: each try reads the row again.
      String failure =
          browser.until(
              page -> {
                String text =
                    page.findElement(By.cssSelector("#destinations tr[data-id='9001'] + tr.detail"))
                        .getText();
                return text.isBlank() ? null : text;
              });
      assertThat(failure).as("the last failure, beside the state").isNotBlank();
      browser.screenshot("console-destinations-retrying");

      MainThread.await(partner.comeBack(), Composition.START, "bringing the partner back");
      browser.awaitText("#destinations tr[data-id='9001'] .state", "UP");
      browser.awaitText("#destinations tr[data-id='9001'] td:nth-child(7)", "1");
      Integer retried =
          browser.until(
              page -> {
                String text =
                    page.findElement(
                            By.cssSelector("#destinations tr[data-id='9001'] td:nth-child(8)"))
                        .getText();
                return text.isEmpty() ? null : Integer.valueOf(text);
              });
      assertThat(retried).as("the retries while the partner was down").isPositive();
      browser.until(
          page ->
              page.findElement(By.cssSelector("#destinations tr[data-id='9001'] td:nth-child(5)"))
                  .getText()
                  .equals("0"));
      browser.find("#charts figure[data-id='9001'] canvas");
      // The batch destination's file with the visitor's line, and its control file.
      // The page is redrawn every two seconds: each try finds the row again.
      String controlFile =
          browser.until(
              page -> {
                for (WebElement row :
                    page.findElements(By.cssSelector("#files table[data-id='9002'] tbody tr"))) {
                  if (row.findElement(By.cssSelector("td:nth-child(3)")).getText().equals("1")) {
                    WebElement details = row.findElement(By.cssSelector("details"));
                    if (details.getDomAttribute("open") == null) {
                      row.findElement(By.cssSelector("summary")).click();
                    }
                    String text = row.findElement(By.cssSelector("pre")).getText();
                    return text.isEmpty() ? null : text;
                  }
                }
                return null;
              });
      assertThat(controlFile).contains("\"TotalNumberLines\": 1");
      browser.screenshot("console-destinations");

      browser.find("header nav a[href='/visitors']").click();
      browser.find("#lookup input[name='dataSource']").sendKeys("20001");
      browser.find("#lookup input[name='partnerId']").sendKeys("crm-1");
      browser.find("#lookup button").click();
      browser.awaitText("#visitor-title", "Visitor 4242");
      assertThat(browser.awaitText("#segments tbody tr", "Shoe fans").getText()).contains("5001");
      assertThat(browser.awaitText("#traits tbody tr", "Shoe page viewer").getText())
          .as("the rule that realized it, and when")
          .contains("c_category == \"shoes\"")
          .containsPattern("\\d{4}-\\d{2}-\\d{2}T");
      assertThat(browser.find("#partner-ids").getText()).contains("crm-1 (data source 20001)");
      browser.awaitText("#deliveries tbody tr", "RETRYING");
      browser.awaitText("#deliveries tbody tr", "DELIVERED HTTP 200");
      browser.screenshot("console-visitor");

      // The populations the qualifier counted: one visitor in the trait and in the segment.
      browser.find("header nav a[href='/']").click();
      browser.awaitText("#traits tbody tr[data-id='101'] td.population", "1");
      browser.awaitText("#segments tbody tr[data-id='5001'] td.population", "1").click();
      browser.awaitText("#editor-title", "5001");
      browser.awaitText("#population-members", "1 member now");
      assertThat(chartAtItsMiddle(browser)).containsExactly("members 1", "joins 1", "leaves 0");
      browser.find("#population button[data-every='daily']").click();
      browser.find("#population button.chosen[data-every='daily']");
      assertThat(chartAtItsMiddle(browser)).containsExactly("members 1", "joins 1", "leaves 0");
      browser.screenshot("console-population");
      WebElement segmentChart = browser.find("#population-chart .uplot");
      browser.find("#traits tbody tr[data-id='101'] td.population").click();
      browser.awaitText("#editor-title", "101");
      browser.until(ExpectedConditions.stalenessOf(segmentChart));
      browser.awaitText("#population-members", "1 member now");
      assertThat(chartAtItsMiddle(browser)).containsExactly("members 1", "joins 1", "leaves 0");
    }
  }

  /**
   * The chart's legend with the pointer at the middle of the plot, where its one bucket is drawn (a
   * lone bucket is shown with a bucket's width either side): "series value" for each series.
   */
  private static List<String> chartAtItsMiddle(Browser browser) {
    return browser.until(
        driver -> {
          new Actions(driver).moveToElement(browser.find("#population-chart .u-over")).perform();
          List<String> legend =
              driver
                  .findElements(
                      By.cssSelector("#population-chart .u-legend tr.u-series:not(:first-child)"))
                  .stream()
                  .map(
                      row ->
                          row.findElement(By.tagName("th")).getText().strip()
                              + " "
                              + row.findElement(By.tagName("td")).getText().strip())
                  .toList();
          return legend.stream().allMatch(entry -> entry.matches("\\S+ \\d+")) ? legend : null;
        });
  }
}
