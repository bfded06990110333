package org.dmp.inbound.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InboundFileNameTest {

  @Test
  void aNameGivesTheDataSourcesTheTimeTheModeThePartAndTheCompression() {
    InboundFileName plain = InboundFileName.parse("ftp_dpm_21_1764547200.sync");
    assertThat(plain.dataSourceId()).isEqualTo(21);
    assertThat(plain.targetDataSourceId()).isEmpty();
    assertThat(plain.traitDataSourceId()).isEqualTo(21);
    assertThat(plain.time()).isEqualTo(Instant.parse("2025-12-01T00:00:00Z"));
    assertThat(plain.overwrite()).isFalse();
    assertThat(plain.split()).isEmpty();
    assertThat(plain.gzip()).isFalse();

    InboundFileName full = InboundFileName.parse("ftp_dpm_20915_21_1764547200.overwrite.3.gz");
    assertThat(full.dataSourceId()).isEqualTo(20915);
    assertThat(full.targetDataSourceId()).contains(21L);
    assertThat(full.traitDataSourceId()).isEqualTo(21);
    assertThat(full.overwrite()).isTrue();
    assertThat(full.split()).isEqualTo(Optional.of(3));
    assertThat(full.gzip()).isTrue();
  }

  @Test
  void deviceAdvertisingIdsAreNormalizedToTheirOneCase() {
    assertThat(InboundFileName.parse("ftp_dpm_20915_21_1764547200.sync").normalized("6d92078a-82"))
        .isEqualTo("6D92078A-82");
    assertThat(InboundFileName.parse("ftp_dpm_20914_21_1764547200.sync").normalized("97987BCA-AE"))
        .isEqualTo("97987bca-ae");
    assertThat(InboundFileName.parse("ftp_dpm_21_1764547200.sync").normalized("CrM-7"))
        .isEqualTo("CrM-7");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "dpm_21_1764547200.sync",
        "ftp_dpm_21_176454720.sync",
        "ftp_dpm_21_1764547200",
        "ftp_dpm_21_1764547200.append",
        "ftp_dpm_x_1764547200.sync",
        "ftp_dpm_21_1764547200.sync.gz.bak",
        "ftp_dpm_21_1764547200.sync.zip"
      })
  void aNameThatDoesNotParseIsRefusedWithTheSyntax(String name) {
    assertThatThrownBy(() -> InboundFileName.parse(name))
        .isInstanceOf(InboundFileException.class)
        .hasMessage(
            "the file name \""
                + name
                + "\" is not ftp_dpm_<DPID>[_<target DPID>]_<10-digit unix seconds>(.sync|.overwrite)[.<split>][.gz]");
  }

  @Test
  void deviceIdsNeedATargetDataSource() {
    assertThatThrownBy(() -> InboundFileName.parse("ftp_dpm_20914_1764547200.sync"))
        .isInstanceOf(InboundFileException.class)
        .hasMessageContaining("names no target DPID");
  }
}
