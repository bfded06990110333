package org.dmp.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VisitorIdTest {
  @Test
  void aVisitorIdIsOneToThirtyEightDigits() {
    assertThat(VisitorId.isValid("0")).isTrue();
    assertThat(VisitorId.isValid("9".repeat(38))).isTrue();
    assertThat(VisitorId.isValid("9".repeat(39))).isFalse();
    assertThat(VisitorId.isValid("")).isFalse();
    assertThat(VisitorId.isValid("12a")).isFalse();
    assertThat(VisitorId.isValid(VisitorId.OPTED_OUT))
        .as("the opt-out mark is no visitor")
        .isFalse();
    assertThat(VisitorId.isValid(null)).isFalse();
  }

  @Test
  void theProblemNamesTheFieldAndTheValue() {
    assertThat(VisitorId.problem("--uuid", "abc"))
        .hasValue("--uuid must be a visitor id of 1 to 38 digits, was 'abc'");
    assertThat(VisitorId.problem("d_uuid", "4711")).isEmpty();
  }
}
