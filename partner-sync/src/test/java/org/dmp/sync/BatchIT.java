package org.dmp.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.dmp.sync.SyncFixture.joined;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.dmp.avro.ProfileUpdate;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.partner.SamplePartner;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.RunningService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith({KafkaBrokerExtension.class, VertxExtension.class})
class BatchIT {
  private static final Duration START = Duration.ofSeconds(60);

  static String batchDestination(Path outbox, String mode, String extra) {
    return """
        {"id": 9002, "name": "files", "type": "batch", "dataSource": 20001, "interval": "PT2S", "mode": "%s", "outbox": "%s",
         "syncType": "ftp", "pidAlias": "Alias", "mappings": {"5001": "s5001", "5002": "s5002"}%s}"""
        .formatted(mode, outbox, extra.isEmpty() ? "" : ", " + extra);
  }

  /**
   * The published files, by window end: data file name to its lines, only those whose control file
   * is there.
   */
  static NavigableMap<Long, List<String>> published(Path outbox) throws IOException {
    NavigableMap<Long, List<String>> files = new TreeMap<>();
    if (!Files.isDirectory(outbox)) {
      return files;
    }
    try (Stream<Path> listed = Files.list(outbox)) {
      for (Path info :
          listed.filter(path -> path.getFileName().toString().endsWith(".info")).toList()) {
        String name = info.getFileName().toString();
        long windowEnd =
            Long.parseLong(name.substring(name.lastIndexOf('_') + 1, name.lastIndexOf('_') + 14));
        List<String> lines = new java.util.ArrayList<>();
        for (Object file : new JsonObject(Files.readString(info)).getJsonArray("Files")) {
          lines.addAll(
              Files.readAllLines(outbox.resolve(((JsonObject) file).getString("FileName"))));
        }
        files.put(windowEnd, lines);
      }
    }
    return files;
  }

  @RegisterExtension final PartnerSyncUnderTest partnerSync = new PartnerSyncUnderTest();

  private RunningService startPartnerSync(SyncFixture fixture) throws InterruptedException {
    return partnerSync.start(fixture, Map.of());
  }

  @Test
  void eachWindowGetsOneIterFileOfItsNetChangesAndFilesAreUploadedOnceThePartnerIsBack(
      Vertx vertx, EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
    SamplePartner partner = new SamplePartner(0, Optional.empty(), false);
    MainThread.await(vertx.deployVerticle(partner), START, "starting the partner");
    MainThread.await(partner.goDown(), START, "taking the partner down");
    SyncFixture fixture =
        SyncFixture.create(
            broker.bootstrapServers(),
            "--sync.batch.spool-dir=" + dir.resolve("spool"),
            "--sync.batch.outbox-root=" + dir,
            "--sync.batch.grace=500ms");
    Path outbox = dir.resolve("outbox");
    String uploadUrl = "http://127.0.0.1:" + partner.port() + "/upload";
    fixture.applyDestinations(
        batchDestination(outbox, "iter", "\"uploadUrl\": \"" + uploadUrl + "\""));
    RunningService sync = startPartnerSync(fixture);

    List<ProfileUpdate> updates =
        new ArrayList<>(IntStream.range(0, 20).mapToObj(i -> joined("v" + i, 1, 5001)).toList());
    updates.add(SyncFixture.update("v0", 2, List.of(5002L), List.of(5001L), Optional.of("p-v0")));
    updates.add(SyncFixture.update("nobody", 1, List.of(5001L), List.of(), Optional.empty()));
    fixture.publish(updates);
    Instant last =
        updates.stream().map(ProfileUpdate::getTime).max(Instant::compareTo).orElseThrow();
    long lastWindowEnd = (last.toEpochMilli() / 2000 + 1) * 2000;

    await().atMost(START).until(() -> published(outbox).containsKey(lastWindowEnd + 2000));
    NavigableMap<Long, List<String>> files = published(outbox);
    List<String> lines = files.values().stream().flatMap(List::stream).toList();
    List<String> expected =
        new ArrayList<>(IntStream.range(1, 20).mapToObj(i -> "p-v" + i + " s5001 ").toList());
    // v0 joined 5001 then moved to 5002: in one window that is one net change, across two it is two
    // lines.
    boolean oneWindow =
        (updates.get(0).getTime().toEpochMilli() / 2000)
            == (updates.get(20).getTime().toEpochMilli() / 2000);
    expected.addAll(
        oneWindow ? List.of("p-v0 s5002 ") : List.of("p-v0 s5001 ", "p-v0 s5002 s5001"));
    assertThat(lines).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(files.get(lastWindowEnd + 2000))
        .as("a window without changes gets an empty file")
        .isEmpty();
    try (Stream<Path> names = Files.list(outbox)) {
      assertThat(
              names
                  .map(path -> path.getFileName().toString())
                  .filter(name -> name.endsWith(".sync")))
          .allMatch(name -> name.matches("ftp_9002_20001_Alias_iter_\\d{13}\\.sync"));
    }
    Path infoFile;
    try (var listed = Files.list(outbox)) {
      infoFile = listed.filter(path -> path.toString().endsWith(".info")).findFirst().orElseThrow();
    }
    JsonObject info =
        new JsonObject(Files.readString(outbox.resolve(infoFile)))
            .getJsonArray("Files")
            .getJsonObject(0);
    assertThat(info.fieldNames())
        .containsExactlyInAnyOrder(
            "FileByteSize", "FileLineCount", "FileName", "FileSequenceNumber", "md5");
    String infoName = infoFile.getFileName().toString();

    MainThread.await(partner.comeBack(), START, "bringing the partner back");
    await()
        .atMost(START)
        .until(
            () ->
                partner
                    .uploads()
                    .keySet()
                    .containsAll(
                        List.of("/upload/" + info.getString("FileName"), "/upload/" + infoName)));
    assertThat(List.copyOf(partner.uploads().keySet()))
        .as("the control file goes after the data files it controls")
        .containsSubsequence("/upload/" + info.getString("FileName"), "/upload/" + infoName);
    assertThat(partner.uploads().get("/upload/" + info.getString("FileName")))
        .isEqualTo(Files.readAllBytes(outbox.resolve(info.getString("FileName"))));
    assertThat(outbox.resolve(info.getString("FileName")))
        .as("an uploaded file stays in the outbox")
        .exists();

    // Its status lists the latest batches, newest first, each as its control file says.
    await()
        .atMost(START)
        .untilAsserted(
            () -> {
              List<JsonObject> recent =
                  new JsonObject(SyncFixture.get(sync.httpPort(), "/destinations/9002").body())
                      .getJsonArray("files").stream().map(JsonObject.class::cast).toList();
              assertThat(recent).isNotEmpty();
              for (JsonObject batch : recent) {
                JsonObject control =
                    new JsonObject(Files.readString(outbox.resolve(batch.getString("name"))));
                assertThat(batch.getJsonObject("info")).isEqualTo(control);
                assertThat(batch.getLong("lines"))
                    .isEqualTo(control.getJsonObject("Totals").getLong("TotalNumberLines"));
                assertThat(batch.getJsonArray("files"))
                    .containsExactlyElementsOf(
                        control.getJsonArray("Files").stream()
                            .map(file -> ((JsonObject) file).getString("FileName"))
                            .toList());
              }
              assertThat(recent)
                  .extracting(batch -> batch.getString("name"))
                  .as("newest first")
                  .isSortedAccordingTo(java.util.Comparator.reverseOrder());
              assertThat(recent)
                  .as("uploaded, now that the partner is back")
                  .anyMatch(batch -> batch.getString("upload").equals("done"));
            });
  }

  @Test
  void aFullFileListsEveryCurrentMemberAndWhoLeftInTheWindow(
      EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
    SyncFixture fixture =
        SyncFixture.create(
            broker.bootstrapServers(),
            "--sync.batch.spool-dir=" + dir.resolve("spool"),
            "--sync.batch.outbox-root=" + dir,
            "--sync.batch.grace=500ms");
    Path outbox = dir.resolve("outbox");
    fixture.applyDestinations(batchDestination(outbox, "full", "\"gzip\": false"));
    startPartnerSync(fixture);

    fixture.publish(List.of(joined("a", 1, 5001), joined("b", 1, 5001), joined("c", 1, 5002)));
    await()
        .atMost(START)
        .until(
            () ->
                published(outbox).values().stream()
                    .anyMatch(lines -> lines.contains("p-c s5002 ")));
    long before = published(outbox).keySet().stream().max(Long::compare).orElseThrow();

    fixture.publish(
        List.of(
            SyncFixture.update("b", 2, List.of(), List.of(5001L), Optional.of("p-b")),
            joined("d", 1, 5002)));
    await()
        .atMost(START)
        .until(
            () ->
                published(outbox).values().stream()
                    .anyMatch(lines -> lines.contains("p-d s5002 ")));
    NavigableMap<Long, List<String>> files = published(outbox);
    List<String> withD =
        files.values().stream()
            .filter(lines -> lines.contains("p-d s5002 "))
            .findFirst()
            .orElseThrow();
    assertThat(withD).containsExactly("p-a s5001 ", "p-b  s5001", "p-c s5002 ", "p-d s5002 ");
    long after =
        files.entrySet().stream()
            .filter(entry -> entry.getValue() == withD)
            .findFirst()
            .orElseThrow()
            .getKey();
    assertThat(files.tailMap(after, false).values())
        .as("later files list the members still in")
        .allSatisfy(
            lines -> assertThat(lines).containsExactly("p-a s5001 ", "p-c s5002 ", "p-d s5002 "));
    assertThat(before).isLessThan(after);
  }
}
