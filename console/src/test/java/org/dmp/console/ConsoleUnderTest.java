package org.dmp.console;

import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.taxonomy.TaxonomyPublisher;

/**
 * A console started for a test on its own taxonomy topic, holding the sample taxonomy, with an
 * operator token and a user "ada" whose password is {@link #PASSWORD}.
 */
final class ConsoleUnderTest implements AutoCloseable {
  static final String TOKEN = "console-operator-token";
  static final String PASSWORD = "correct horse battery";
  private static final Duration START = Duration.ofSeconds(60);

  final ConsoleConfig config;
  final ConsoleMain.Console console;
  final String base;
  private final Vertx vertx;

  private ConsoleUnderTest(ConsoleConfig config, ConsoleMain.Console console, Vertx vertx) {
    this.config = config;
    this.console = console;
    this.vertx = vertx;
    this.base = "http://127.0.0.1:" + console.service().httpPort();
  }

  static ConsoleUnderTest start(EmbeddedKafkaBroker broker) throws Exception {
    String bootstrap = broker.bootstrapServers();
    ConsoleConfig config =
        ConsoleConfig.SETTINGS.read(
            Map.of(),
            List.of(
                "--kafka.bootstrap=" + bootstrap,
                "--http.host=127.0.0.1",
                "--http.port=0",
                "--operator.token=" + TOKEN,
                "--console.user=ada",
                "--topic.taxonomy.name=" + UniqueNames.topic("console-taxonomy")),
            ConsoleConfig::read);
    try (Admin admin = KafkaClients.of(bootstrap).admin(Map.of())) {
      config.common().topics().createMissing(admin);
    }
    TaxonomyPublisher.apply(
        config.common().kafka(),
        config.common().topics().taxonomy(),
        TaxonomyFile.sample(),
        "console test",
        Clock.systemUTC());
    Vertx vertx = Vertx.vertx();
    ConsoleMain.Console console =
        MainThread.await(
            ConsoleMain.start(
                vertx,
                config,
                name ->
                    name.equals("DMP_CONSOLE_PASSWORD") ? Optional.of(PASSWORD) : Optional.empty()),
            START,
            "starting the console");
    return new ConsoleUnderTest(config, console, vertx);
  }

  @Override
  public void close() throws Exception {
    MainThread.await(vertx.close(), START, "stopping the console");
  }
}
