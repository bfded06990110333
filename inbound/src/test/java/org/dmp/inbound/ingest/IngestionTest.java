package org.dmp.inbound.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dmp.inbound.format.InboundFileName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestionTest {

  @Test
  void aCompressedFilePastAudienceManagersLimitIsRefusedAndAPlainOneIsNot() {
    InboundFileName gzip = InboundFileName.parse("ftp_dpm_21_1764547200.sync.gz");
    InboundFileName plain = InboundFileName.parse("ftp_dpm_21_1764547200.sync");

    assertThat(Ingestion.sizeProblem(gzip, Ingestion.MOST_GZIP_BYTES, Ingestion.MOST_GZIP_BYTES))
        .isEmpty();
    assertThat(
            Ingestion.sizeProblem(gzip, Ingestion.MOST_GZIP_BYTES + 1, Ingestion.MOST_GZIP_BYTES))
        .hasValue(
            "ftp_dpm_21_1764547200.sync.gz is 1073741825 bytes: a compressed inbound file may be at"
                + " most 1073741824 (1 GB, Audience Manager's limit); split it");
    assertThat(Ingestion.sizeProblem(plain, 5L << 30, Ingestion.MOST_GZIP_BYTES)).isEmpty();
  }

  @Test
  void aFileIsKnownByTheMd5OfItsBytes(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "crm-1\td_sid=201\n");

    // As md5sum computes it.
    assertThat(Ingestion.md5(file)).isEqualTo("b631e85f9d6de2bd8e1b559182aab009");
  }

  @Test
  void aUsersLinesAreCountedInTheFile() {
    UserLines lines = new UserLines();
    assertThat(lines.count("a")).isEqualTo(1);
    assertThat(lines.count("b")).isEqualTo(1);
    assertThat(lines.count("a")).isEqualTo(2);
    for (int line = 3; line <= UserLines.MOST; line++) {
      lines.count("a");
    }
    assertThat(lines.count("a")).as("one past the bound").isEqualTo(UserLines.MOST + 1);
    assertThat(lines.count("a")).as("and there it stays").isEqualTo(UserLines.MOST + 1);
  }

  @Test
  void eachUsersCountIsItsOwnAsTheTableGrows() {
    UserLines lines = new UserLines();
    for (int round = 1; round <= 3; round++) {
      for (int user = 0; user < 100_000; user++) {
        int count = lines.count("crm-" + user);
        if (count != round) {
          assertThat(count).as("user crm-" + user + " in round " + round).isEqualTo(round);
        }
      }
    }
    assertThat(lines.count("crm-")).as("a prefix of the others is a user of its own").isEqualTo(1);
    assertThat(lines.count("")).isEqualTo(1);
  }
}
