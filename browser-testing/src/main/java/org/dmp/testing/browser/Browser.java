package org.dmp.testing.browser;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Debian chromium driven through its chromium-driver ({@code apt-get install chromium
 * chromium-driver}, as {@code .ci/run} does), both named by path so that Selenium never tries to
 * download a browser (these machines have no internet); {@code -Dbrowser.chromium} and {@code
 * -Dbrowser.chromedriver} name others. Started with the flags that keep it from calling out: its
 * background connections are refused here, many at a time.
 */
public final class Browser implements AutoCloseable {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  public final ChromeDriver driver;

  /**
   * @param profile an empty folder for the browser's profile (cookies, storage), deleted by the
   *     caller
   */
  public Browser(Path profile) {
    File chromium = installed("browser.chromium", "/usr/bin/chromium");
    File chromedriver = installed("browser.chromedriver", "/usr/bin/chromedriver");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,900",
        "--user-data-dir=" + profile.toAbsolutePath());
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(chromedriver)
            .usingAnyFreePort()
            .build();
    driver = new ChromeDriver(service, options);
  }

  private static File installed(String property, String path) {
    File file = new File(System.getProperty(property, path));
    if (!file.canExecute()) {
      throw new IllegalStateException(
          file
              + " is not there: apt-get install chromium chromium-driver, as .ci/run does (or name"
              + " another with -D"
              + property
              + ")");
    }
    return file;
  }

  public void open(String url) {
    driver.get(url);
  }

  public WebElement find(String css) {
    return until(browser -> browser.findElement(By.cssSelector(css)));
  }

  /** Waits until the element the selector names shows text containing {@code text}. */
  public WebElement awaitText(String css, String text) {
    return until(
        browser -> {
          for (WebElement element : browser.findElements(By.cssSelector(css))) {
            if (element.getText().contains(text)) {
              return element;
            }
          }
          return null;
        });
  }

  public <T> T until(ExpectedCondition<T> condition) {
    return new WebDriverWait(driver, WAIT).ignoring(RuntimeException.class).until(condition);
  }

  /** Saves what the page shows as target/screenshots/NAME.png. */
  public Path screenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    Path file = SCREENSHOTS.resolve(name + ".png");
    Files.move(
        driver.getScreenshotAs(OutputType.FILE).toPath(),
        file,
        StandardCopyOption.REPLACE_EXISTING);
    return file;
  }

  @Override
  public void close() {
    driver.quit();
  }
}
