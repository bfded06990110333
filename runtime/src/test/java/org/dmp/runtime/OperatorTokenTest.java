package org.dmp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.dmp.config.ConfigException;
import org.dmp.config.ConfigReader;
import org.dmp.config.Settings;
import org.junit.jupiter.api.Test;

class OperatorTokenTest {
  @Test
  void onlyTheTokenItselfIsAcceptedAndItIsNeverPrinted() {
    OperatorToken token = OperatorToken.of("a-long-enough-secret");

    assertThat(token.accepts("Bearer a-long-enough-secret")).isTrue();
    assertThat(token.accepts("Bearer a-long-enough-secreT")).isFalse();
    assertThat(token.accepts("bearer a-long-enough-secret")).isFalse();
    assertThat(token.accepts("a-long-enough-secret")).isFalse();
    assertThat(token.accepts(null)).isFalse();
    assertThat(token.authorization()).isEqualTo("Bearer a-long-enough-secret");
    assertThat(token.toString()).doesNotContain("secret");
  }

  @Test
  void withoutATokenNothingIsAccepted() {
    OperatorToken none = OperatorToken.of("");

    assertThat(none.isSet()).isFalse();
    assertThat(none.accepts("Bearer ")).isFalse();
    assertThat(none.accepts("Bearer")).isFalse();
  }

  @Test
  void aShortTokenIsAConfigurationProblem() {
    assertThatThrownBy(() -> read("--operator.token=short"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("operator.token must be at least 16 characters")
        .hasMessageNotContaining("short'");
    assertThat(read("--operator.token=sixteen-chars-ok").isSet()).isTrue();
    assertThat(read().isSet()).isFalse();
  }

  private static OperatorToken read(String... args) {
    ConfigReader reader =
        new ConfigReader(
            Settings.load(
                "test",
                List.of("operator-token-test.properties"),
                Map.of(),
                List.of(args),
                Map.of()));
    OperatorToken token = OperatorToken.read(reader);
    reader.validate();
    return token;
  }
}
