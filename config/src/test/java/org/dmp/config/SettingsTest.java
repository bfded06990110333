package org.dmp.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
  private static final List<String> DEFAULTS = List.of("test-defaults.properties");
  private static final Map<String, String> ALIASES = Map.of("bootstrap", "kafka.bootstrap");

  @Test
  void flagsBeatEnvironmentWhichBeatsDefaults() {
    Settings settings =
        Settings.load(
            "svc",
            List.of("test-defaults.properties", "test-overrides.properties"),
            Map.of(
                "DMP_KAFKA_BOOTSTRAP", "env-host:1", "DMP_HTTP_MAX_BODY", "1000", "UNRELATED", "x"),
            List.of("--bootstrap", "flag-host:2", "--drain.timeout=PT1M"),
            ALIASES);

    assertThat(settings.get("kafka.bootstrap").orElseThrow())
        .isEqualTo(new Setting("kafka.bootstrap", "flag-host:2", "--bootstrap"));
    assertThat(settings.get("http.max-body").orElseThrow().origin()).isEqualTo("DMP_HTTP_MAX_BODY");
    assertThat(settings.get("http.port").orElseThrow().value()).isEqualTo("9090");
    assertThat(settings.get("drain.timeout").orElseThrow().value()).isEqualTo("PT1M");
    assertThat(settings.get("tls.enabled").orElseThrow().origin())
        .isEqualTo("test-defaults.properties");
  }

  @Test
  void environmentNamesFollowTheKeys() {
    Settings settings = Settings.load("svc", DEFAULTS, Map.of(), List.of(), Map.of());

    assertThat(Settings.envName("http.max-body")).isEqualTo("DMP_HTTP_MAX_BODY");
    assertThat(settings.envNames()).contains("DMP_KAFKA_BOOTSTRAP", "DMP_COOKIE_DOMAIN").hasSize(6);
  }

  @Test
  void reportsBadFlagsTogetherWithBadValues() {
    Settings settings =
        Settings.load(
            "svc",
            DEFAULTS,
            Map.of(),
            List.of("--nope=1", "stray", "--tls.enabled=maybe", "--http.port"),
            ALIASES);
    ConfigReader reader = new ConfigReader(settings);
    reader.bool("tls.enabled");

    assertThatThrownBy(reader::validate)
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "unknown option --nope; known: --bootstrap, --cookie.domain, --drain.timeout, --http.max-body, --http.port, --kafka.bootstrap, --tls.enabled",
                        "unexpected argument 'stray': settings are given as --key=value or --key value",
                        "option --http.port needs a value",
                        "tls.enabled='maybe' (from --tls.enabled): must be true or false"))
        .hasMessageStartingWith("Configuration of svc has 4 problems:");
  }

  @Test
  void readerCollectsEveryInvalidValueWithItsOrigin() {
    Settings settings =
        Settings.load(
            "svc",
            DEFAULTS,
            Map.of("DMP_HTTP_PORT", "99999", "DMP_KAFKA_BOOTSTRAP", "no-port"),
            List.of("--drain.timeout=soon", "--tls.enabled=maybe"),
            Map.of());
    ConfigReader reader = new ConfigReader(settings);

    reader.port("http.port", false);
    reader.hostPorts("kafka.bootstrap");
    reader.duration("drain.timeout", Duration.ZERO, Duration.ofHours(1));
    reader.bool("tls.enabled");
    reader.text("cookie.domain");
    reader.text("not.documented");

    assertThatThrownBy(reader::validate)
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "http.port='99999' (from DMP_HTTP_PORT): must be between 1 and 65535",
                        "kafka.bootstrap='no-port' (from DMP_KAFKA_BOOTSTRAP): must be host:port[,host:port...]; 'no-port' is not",
                        "drain.timeout='soon' (from --drain.timeout): must be a duration such as 250ms, 5s, 2m, 24h, 7d or PT5S",
                        "tls.enabled='maybe' (from --tls.enabled): must be true or false",
                        "cookie.domain='' (from test-defaults.properties): must not be empty",
                        "not.documented: no such setting (it is missing from the defaults file)"));
  }

  @Test
  void readerReturnsTypedValues() {
    Settings settings =
        Settings.load(
            "svc", DEFAULTS, Map.of(), List.of("--kafka.bootstrap", "a:1, b:2"), Map.of());
    ConfigReader reader = new ConfigReader(settings);

    assertThat(reader.hostPorts("kafka.bootstrap")).isEqualTo("a:1,b:2");
    assertThat(reader.port("http.port", false)).isEqualTo(8080);
    assertThat(reader.duration("drain.timeout", Duration.ZERO, Duration.ofHours(1)))
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(reader.optionalText("cookie.domain")).isEmpty();
    assertThat(reader.bool("tls.enabled")).isFalse();
    reader.validate();
  }

  @Test
  void durationsTakeUnitsOrIso() {
    assertThat(ConfigReader.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(ConfigReader.parseDuration("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(ConfigReader.parseDuration("pt24h")).isEqualTo(Duration.ofHours(24));
    assertThat(ConfigReader.parseDuration("5 weeks")).isNull();
  }

  @Test
  void aMissingDefaultsFileIsAProgrammingErrorNamedAsSuch() {
    assertThatThrownBy(
            () -> Settings.load("svc", List.of("absent.properties"), Map.of(), List.of(), Map.of()))
        .hasMessageContaining("absent.properties");
  }
}
