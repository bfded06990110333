package org.dmp.sync.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.dmp.avro.BatchMode;
import org.dmp.sync.destination.UserChange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchFilesTest {
  private static final Instant END = Instant.ofEpochMilli(1486140843000L);

  @Test
  void filesAreNamedAsAudienceManagerNamesThem() {
    assertThat(new BatchFileName("ftp", 1234, 20915, null, BatchMode.ITER, END, true).name(0))
        .isEqualTo("ftp_1234_20915_iter_1486140843000.sync.gz");
    BatchFileName split =
        new BatchFileName(
            "S3",
            1234,
            20914,
            "XYZCustomer",
            BatchMode.FULL,
            Instant.ofEpochMilli(1486140844000L),
            true);
    assertThat(split.name(1)).isEqualTo("S3_1234_20914_XYZCustomer_full_1486140844000001.sync.gz");
    assertThat(split.infoName())
        .as("the root of the batch's names")
        .isEqualTo("S3_1234_20914_XYZCustomer_full_1486140844000.info");
    assertThat(
            new BatchFileName("ftp", 7, 1, "", BatchMode.ITER, Instant.ofEpochMilli(5), false)
                .name(0))
        .as("thirteen digits, always")
        .isEqualTo("ftp_7_1_iter_0000000000005.sync");
  }

  @Test
  void aLineIsTheUserThenTheirSegmentsThenWhatTheyLeft() {
    assertThat(
            SyncLine.format(
                "59767559181262060060278870901087098252",
                List.of("24", "26", "27"),
                List.of("25", "28")))
        .isEqualTo("59767559181262060060278870901087098252 24,26,27 25,28");
    assertThat(SyncLine.format("u", List.of(), List.of("25"))).isEqualTo("u  25");
    assertThat(SyncLine.format("u", List.of("24"), List.of())).isEqualTo("u 24 ");
  }

  @Test
  void windowsAreAlignedToUtc() {
    Windows daily = new Windows(Duration.ofHours(24));
    assertThat(daily.endOf(Instant.parse("2026-11-24T13:45:00Z")))
        .isEqualTo(Instant.parse("2026-11-25T00:00:00Z"));
    assertThat(daily.endOf(Instant.parse("2026-11-24T00:00:00Z")))
        .as("a boundary starts the next window")
        .isEqualTo(Instant.parse("2026-11-25T00:00:00Z"));
    assertThat(daily.startOf(Instant.parse("2026-11-25T00:00:00Z")))
        .isEqualTo(Instant.parse("2026-11-24T00:00:00Z"));
    assertThat(new Windows(Duration.ofSeconds(5)).endOf(Instant.parse("2026-11-24T13:45:03.5Z")))
        .isEqualTo(Instant.parse("2026-11-24T13:45:05Z"));
  }

  @Test
  void aWindowShowsEachUsersNetChange() {
    UserChange entered = new UserChange("u", List.of("a"), List.of("a", "b"));
    UserChange leftAgain = new UserChange("u", List.of("a", "b"), List.of("b"));
    UserChange net = entered.then(leftAgain);
    assertThat(net.added()).containsExactly("b");
    assertThat(net.removed()).containsExactly("a");

    UserChange inAndOut =
        new UserChange("v", List.of(), List.of("c"))
            .then(new UserChange("v", List.of("c"), List.of()));
    assertThat(inAndOut.added()).as("entered and left within the window: not mentioned").isEmpty();
    assertThat(inAndOut.removed()).isEmpty();
  }

  @Test
  void splitFilesArePublishedInNumberedPartsEachWithItsControlFileAndMd5(@TempDir Path outbox)
      throws Exception {
    BatchFileName name = new BatchFileName("ftp", 9002, 20001, null, BatchMode.ITER, END, false);
    OutboundFile file = new OutboundFile(outbox, name, 2);
    for (int i = 1; i <= 5; i++) {
      file.line(SyncLine.format("user" + i, List.of("s1"), List.of()));
    }
    OutboundFile.Published published = file.publish();
    file.close();

    assertThat(published.files())
        .containsExactly(name.name(1), name.name(2), name.name(3), name.infoName());
    assertThat(Files.readAllLines(outbox.resolve(name.name(3)))).containsExactly("user5 s1 ");
    JsonObject info = new JsonObject(Files.readString(outbox.resolve(name.infoName())));
    assertThat(info.fieldNames()).containsExactlyInAnyOrder("Files", "Totals");
    JsonObject second = info.getJsonArray("Files").getJsonObject(1);
    byte[] bytes = Files.readAllBytes(outbox.resolve(name.name(2)));
    assertThat(second)
        .isEqualTo(
            new JsonObject()
                .put("FileByteSize", bytes.length)
                .put("FileLineCount", 2)
                .put("FileName", name.name(2))
                .put("FileSequenceNumber", 2)
                .put(
                    "md5",
                    HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes))));
    long total = 0;
    for (int part = 1; part <= 3; part++) {
      total += Files.size(outbox.resolve(name.name(part)));
    }
    assertThat(info.getJsonObject("Totals"))
        .isEqualTo(
            new JsonObject()
                .put("FileName", name.name(0))
                .put("TotalByteSize", total)
                .put("TotalNumberFiles", 3)
                .put("TotalNumberLines", 5));
    try (Stream<Path> left = Files.list(outbox.resolve(OutboundFile.PARTIAL))) {
      assertThat(left).as("nothing left half-made").isEmpty();
    }
  }

  @Test
  void aGzippedFileInOnePartHasNoNumberAndItsMd5IsOfTheCompressedBytes(@TempDir Path outbox)
      throws Exception {
    BatchFileName name = new BatchFileName("ftp", 9002, 20001, "alias", BatchMode.FULL, END, true);
    OutboundFile file = new OutboundFile(outbox, name, 100);
    file.line("u1 s1 ");
    file.publish();

    byte[] bytes = Files.readAllBytes(outbox.resolve(name.name(0)));
    try (InputStream in = new GZIPInputStream(Files.newInputStream(outbox.resolve(name.name(0))))) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("u1 s1 \n");
    }
    JsonObject file0 =
        new JsonObject(Files.readString(outbox.resolve(name.infoName())))
            .getJsonArray("Files")
            .getJsonObject(0);
    assertThat(file0.getString("md5"))
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes)));
    assertThat(file0.getString("FileName")).isEqualTo(name.name(0));
  }

  @Test
  void aPartWhoseControlFileIsAlreadyPublishedIsNotPublishedAgain(@TempDir Path outbox)
      throws IOException {
    BatchFileName name = new BatchFileName("ftp", 9002, 20001, null, BatchMode.ITER, END, false);
    OutboundFile first = new OutboundFile(outbox, name, 0);
    first.line("u1 s1 ");
    first.publish();
    String info = Files.readString(outbox.resolve(name.infoName()));

    OutboundFile again = new OutboundFile(outbox, name, 0);
    again.line("u1 s1 ");
    assertThat(again.publish().files()).containsExactly(name.name(0), name.infoName());
    assertThat(Files.readString(outbox.resolve(name.infoName()))).isEqualTo(info);
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(outbox)) {
      files.forEach(path -> names.add(path.getFileName().toString()));
    }
    assertThat(names)
        .containsExactlyInAnyOrder(name.name(0), name.infoName(), OutboundFile.PARTIAL);
  }
}
