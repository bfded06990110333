package org.dmp.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.taxonomy.TaxonomyView;
import org.dmp.testing.browser.Browser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;

/** The console in a real browser: logged in by its link, a segment edited through its form. */
@ExtendWith(KafkaBrokerExtension.class)
class ConsoleBrowserIT {
  private ConsoleUnderTest console;
  private Browser browser;

  @BeforeEach
  void start(@TempDir Path profile, EmbeddedKafkaBroker broker) throws Exception {
    console = ConsoleUnderTest.start(broker);
    browser = new Browser(profile);
  }

  @AfterEach
  void stop() throws Exception {
    browser.close();
    console.close();
  }

  @Test
  void aBadRuleIsExplainedBesideItsFieldAndAGoodOneBecomesARevision() throws Exception {
    browser.open(console.base + "/");
    browser.find("form[action='/login']");
    assertThat(browser.driver.getCurrentUrl()).as("not logged in yet").endsWith("/login");

    browser.open(console.console.loginLink("127.0.0.1"));
    browser.awaitText("#traits tbody tr", "Shoe page viewer");
    Cookie session = browser.driver.manage().getCookieNamed("dmp-console-session");
    assertThat(session.isHttpOnly()).isTrue();
    assertThat(session.getSameSite()).isEqualTo("Strict");
    assertThat(browser.awaitText("#traits tbody tr", "Shoe page viewer").getText())
        .as("the segments that use the trait")
        .contains("Shoe fans (5001)");
    browser.awaitText("#folders li", "Shoes").click();
    browser.awaitText("#place", "Retail/Shoes");
    assertThat(browser.driver.findElements(org.openqa.selenium.By.cssSelector("#traits tbody tr")))
        .hasSize(1);
    browser.awaitText("#folders li", "Everything").click();
    browser.awaitText("#segments tbody tr", "Shoe fans").click();

    WebElement rule = browser.find("#editor textarea[name='rule']");
    rule.clear();
    rule.sendKeys("frequency([999T]) >= 3");
    browser.find("#save").click();
    WebElement problem = browser.awaitText("#editor .problem[data-field='rule']", "999");
    assertThat(problem.getText()).contains("trait 999T");
    assertThat(rule.getAttribute("class")).contains("invalid");
    browser.screenshot("console-invalid-rule");

    rule.clear();
    rule.sendKeys("frequency([101T]) >= 2");
    browser.find("#save").click();
    browser.awaitText("#editor-saved", "Saved as revision 2");
    browser.awaitText("#segments tbody tr", "frequency([101T]) >= 2");
    browser.screenshot("console-taxonomy");

    console.writeReplayRun();
    browser.find("header nav a[href='/replay']").click();
    browser.awaitText("#runs tbody tr", "20261201-120000-abcd").click();
    assertThat(browser.awaitText("#summary tbody tr", "Shoe fans (5001)").getText())
        .as("would join, would leave, stay")
        .contains("2 1 40");
    browser.awaitText("#samples-title", "3 of 3");
    browser.screenshot("console-replay");

    try (TaxonomyView service =
        TaxonomyView.follow(
            "console-browser-test",
            console.config.common().kafka(),
            console.config.common().topics().taxonomy())) {
      service.caughtUp().get();
      assertThat(service.revision()).isEqualTo(2);
      assertThat(service.get().source().segments())
          .anyMatch(
              item -> item.getId() == 5001L && item.getRule().equals("frequency([101T]) >= 2"));
    }
  }
}
