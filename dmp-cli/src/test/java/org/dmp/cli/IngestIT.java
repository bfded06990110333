package org.dmp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.dmp.avro.EventSource;
import org.dmp.avro.InboundChunk;
import org.dmp.avro.InboundChunkLine;
import org.dmp.avro.PartnerId;
import org.dmp.avro.VisitEvent;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.partner.SamplePartner;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.runtime.kafka.TopicSnapshot;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.TaxonomyFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dmp ingest} against the composition on the embedded broker: an inbound file's traits reach
 * a real HTTP partner, lines of ids not synced yet wait for the sync, an overwrite file replaces
 * what its data source said, a file is applied once, and a killed ingestion resumes.
 */
@ExtendWith(KafkaBrokerExtension.class)
class IngestIT {
  /**
   * A file time an hour ago: the lines' records carry their file's time, and Kafka deletes records
   * older than the inbound topic's retention (30 days) by it, so a fixed date in the past would one
   * day leave the topic empty under the test.
   */
  private static final long RECENT = Instant.now().minus(Duration.ofHours(1)).getEpochSecond();

  @RegisterExtension final SamplePartners partners = new SamplePartners();

  private static final String TAXONOMY =
      """
      {"dataSources": [{"id": 1, "name": "Site tags"}, {"id": 20001, "name": "CRM"}],
       "traits": [
         {"id": 201, "name": "Gold", "dataSource": 20001, "type": "onboarded"},
         {"id": 202, "name": "Silver", "dataSource": 20001, "type": "onboarded"},
         {"id": 203, "name": "Likes red", "dataSource": 20001, "type": "rule", "rule": "colour == \\"red\\""}],
       "segments": [
         {"id": 5001, "name": "Gold", "rule": "[201T]"},
         {"id": 5002, "name": "Red", "rule": "[203T]"}],
       "destinations": [
         {"id": 9001, "name": "partner", "type": "http", "dataSource": 20001, "url": "%s", "clientId": "c1",
          "mappings": {"5001": "gold", "5002": "red"}}]}
      """;

  @Test
  void aFilesTraitsReachThePartnerWaitForSyncsAndAreAppliedOnce(
      EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
    SamplePartner partner = partners.start();
    try (Composition composition =
        Composition.create(
            broker,
            dir,
            "ingest",
            TaxonomyFile.parse("ingest", TAXONOMY.formatted(partner.url())))) {
      Topics topics = composition.topics();
      composition.startQualifier(0);
      composition.startPartnerSync();
      sync(composition, "111", "crm-1");
      // Matched, in the receipt, is what the id map holds when the file is read.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> idMapKeys(composition).contains("20001/crm-1"));
      Path file =
          write(
              dir.resolve("ftp_dpm_20001_" + RECENT + ".sync"),
              "crm-1\td_sid=201\ncrm-2\tcolour=red\ncrm-1 d_sid=201\ncrm-3\td_sid=999\n");

      TailCommandIT.Run run = ingest(composition, file);

      assertThat(run.exitCode()).as(run.err()).isZero();
      JsonObject receipt = lastLine(run.out());
      assertThat(receipt.getString("state")).isEqualTo("DONE");
      assertThat(receipt.getLong("linesRead")).isEqualTo(4);
      assertThat(receipt.getLong("linesApplied")).isEqualTo(2);
      assertThat(receipt.getLong("linesRejected")).isEqualTo(2);
      assertThat(receipt.getLong("usersMatched")).isEqualTo(1);
      assertThat(receipt.getLong("usersNotYetMatched")).isEqualTo(1);
      assertThat(receipt.getJsonArray("errors"))
          .isEqualTo(
              new JsonArray(
                  List.of(
                      "line 3: no TAB between the user id and the traits",
                      "line 4: \"d_sid=999\": trait 999 is not an onboarded trait of data source 20001")));
      assertThat(
              new JsonObject(
                  Files.readString(dir.resolve("receipts").resolve(file.getFileName() + ".json"))))
          .isEqualTo(receipt);
      awaitSent(partner, "crm-1", "gold", "1");

      // crm-2's line waited for its sync.
      sync(composition, "222", "crm-2");
      awaitSent(partner, "crm-2", "red", "1");

      TailCommandIT.Run again = ingest(composition, file);
      assertThat(again.exitCode()).isZero();
      assertThat(again.out())
          .contains("ingested before (same name and md5); nothing applied again");
      assertThat(lastLine(again.out()).getBoolean("already")).isTrue();
      assertThat(inboundEventIds(composition, topics)).hasSize(2);

      // An overwrite file replaces what the CRM said of crm-1: silver now, gold no more.
      Path overwrite =
          write(dir.resolve("ftp_dpm_20001_" + (RECENT + 60) + ".overwrite"), "crm-1\td_sid=202\n");
      assertThat(ingest(composition, overwrite).exitCode()).isZero();
      awaitSent(partner, "crm-1", "gold", "0");
    }
  }

  @Test
  void anIngestionKilledMidFileResumesAndAppliesEachLineOnce(
      EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
    try (Composition composition =
        Composition.create(
            broker,
            dir,
            "ingest-kill",
            TaxonomyFile.parse("t", TAXONOMY.formatted("http://127.0.0.1:9/")))) {
      int lines = 40_000;
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < lines; i++) {
        if (i % 1000 == 999) {
          text.append("crm-").append(i).append(" without a tab\n");
        } else if (i % 100 == 50) {
          // One user with more lines than Audience Manager's 200 per file.
          text.append("crm-heavy\td_sid=201\n");
        } else {
          text.append("crm-").append(i).append("\td_sid=201\n");
        }
      }
      TailCommandIT.Run uninterrupted =
          ingest(
              composition,
              write(dir.resolve("ftp_dpm_20001_" + (RECENT + 200) + ".sync"), text.toString()));
      JsonObject expected = lastLine(uninterrupted.out());
      assertThat(expected.getLong("linesRejected")).isEqualTo(40 + 200);
      Path file = write(dir.resolve("ftp_dpm_20001_" + (RECENT + 300) + ".sync"), text.toString());
      // A committed transaction's markers reach the partitions just after commit returns.
      int before = expected.getLong("linesApplied").intValue();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> inboundEventIds(composition, composition.topics()).size() == before);
      List<String> command =
          new ArrayList<>(
              List.of(
                  ProcessHandle.current().info().command().orElse("java"),
                  "-jar",
                  Path.of("target", "dmp-cli.jar").toString()));
      command.addAll(ingestArgs(composition, file, "--lines-per-transaction", "200"));
      Process killed =
          new ProcessBuilder(command)
              .redirectError(
                  ProcessBuilder.Redirect.appendTo(
                      Path.of("target", "ingest-kill-it.log").toFile()))
              .start();
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(killed.getInputStream(), StandardCharsets.UTF_8))) {
        JsonObject midway = null;
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          JsonObject status = new JsonObject(line);
          if (status.getLong("linesRead", 0L) > 0 && status.getLong("linesRead") < lines / 2) {
            midway = status;
            break;
          }
        }
        assertThat(midway).as("a progress line from the middle of the file").isNotNull();
        killed.destroyForcibly();
        assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(inboundEventIds(composition, composition.topics()))
          .as("killed midway")
          .hasSizeLessThan(before + expected.getLong("linesApplied").intValue());

      TailCommandIT.Run resumed = ingest(composition, file, "--lines-per-transaction", "200");

      assertThat(resumed.exitCode()).as(resumed.err()).isZero();
      JsonObject receipt = lastLine(resumed.out());
      assertThat(receipt.getString("state")).isEqualTo("DONE");
      for (String count :
          List.of(
              "linesRead",
              "linesApplied",
              "linesRejected",
              "usersMatched",
              "usersNotYetMatched",
              "traitsRealized")) {
        assertThat(receipt.getLong(count)).as(count).isEqualTo(expected.getLong(count));
      }
      assertThat(receipt.getJsonArray("errors")).isEqualTo(expected.getJsonArray("errors"));
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(inboundEventIds(composition, composition.topics()))
                      .hasSize(before + expected.getLong("linesApplied").intValue()));
    }
  }

  @Test
  void aTruncatedGzipFailsWithTheByteOffsetAndKeepsTheLinesBeforeIt(
      EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
    try (Composition composition =
        Composition.create(
            broker,
            dir,
            "ingest-gz",
            TaxonomyFile.parse("t", TAXONOMY.formatted("http://127.0.0.1:9/")))) {
      Path whole = dir.resolve("whole.gz");
      try (OutputStream gzip = new GZIPOutputStream(Files.newOutputStream(whole))) {
        for (int i = 0; i < 50_000; i++) {
          gzip.write(
              ("crm-" + i + "\td_sid=201,colour=c" + (i * 7919 % 10007) + "\n")
                  .getBytes(StandardCharsets.UTF_8));
        }
      }
      byte[] bytes = Files.readAllBytes(whole);
      Path truncated = dir.resolve("ftp_dpm_20001_" + (RECENT + 400) + ".sync.gz");
      Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));

      TailCommandIT.Run run = ingest(composition, truncated);

      assertThat(run.exitCode()).isEqualTo(1);
      JsonObject receipt = lastLine(run.out());
      assertThat(receipt.getString("state")).isEqualTo("FAILED");
      assertThat(receipt.getString("detail"))
          .startsWith("reading stopped at byte ")
          .contains("of " + bytes.length / 2)
          .contains("lines 1 to " + receipt.getLong("linesRead"));
      assertThat(receipt.getLong("linesApplied")).isPositive().isLessThan(50_000);
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(inboundEventIds(composition, composition.topics()))
                      .hasSize(receipt.getLong("linesApplied").intValue()));
    }
  }

  private static Path write(Path file, String text) throws Exception {
    return Files.writeString(file, text);
  }

  /** A visit that syncs the partner id of data source 20001 with the visitor. */
  private static void sync(Composition composition, String visitor, String crmId) throws Exception {
    composition.produce(
        List.of(
            VisitEvent.newBuilder()
                .setEventId("sync-" + visitor)
                .setVisitorId(visitor)
                .setTime(Instant.now())
                .setSource(EventSource.ID_SYNC)
                .setPartnerIds(List.of(new PartnerId(20001L, crmId)))
                .build()));
  }

  private static void awaitSent(SamplePartner partner, String user, String segment, String status) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> sent(partner).contains(user + " " + segment + " " + status));
  }

  /** Each user, segment and status the partner was sent, as "user segment status". */
  private static Set<String> sent(SamplePartner partner) {
    Set<String> sent = new HashSet<>();
    for (SamplePartner.Received request : partner.received()) {
      JsonArray users = request.body().getJsonArray("Users", new JsonArray());
      for (int i = 0; i < users.size(); i++) {
        JsonObject user = users.getJsonObject(i);
        JsonArray segments = user.getJsonArray("Segments");
        for (int k = 0; k < segments.size(); k++) {
          JsonObject segment = segments.getJsonObject(k);
          sent.add(
              user.getString("DataPartner_UUID")
                  + " "
                  + segment.getString("Segment_ID")
                  + " "
                  + segment.getString("Status"));
        }
      }
    }
    return sent;
  }

  private static Set<String> idMapKeys(Composition composition) {
    Set<String> keys = new HashSet<>();
    read(composition, TopicRole.IDMAP, record -> keys.add(record.key()));
    return keys;
  }

  /** The event ids of the lines on the inbound topic, as committed. */
  private static Set<String> inboundEventIds(Composition composition, Topics topics) {
    List<String> ids = new ArrayList<>();
    read(
        composition,
        TopicRole.INBOUND,
        record -> {
          InboundChunk chunk = topics.inbound().values().decode(record.topic(), record.value());
          for (InboundChunkLine line : chunk.getLines()) {
            ids.add(chunk.getEventIdPrefix() + line.getLineNumber());
          }
        });
    Set<String> distinct = new HashSet<>(ids);
    assertThat(distinct).as("no line published twice").hasSize(ids.size());
    return distinct;
  }

  /** Reads a topic of the composition from its beginning to its committed end. */
  private static void read(
      Composition composition,
      TopicRole role,
      java.util.function.Consumer<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>>
          handler) {
    try (var consumer =
        KafkaClients.of(composition.bootstrap())
            .consumer(
                Map.of(
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                    false,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                    "read_committed"),
                new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      TopicSnapshot.read(consumer, composition.topics().name(role), Duration.ofMinutes(1), handler);
    }
  }

  private static TailCommandIT.Run ingest(Composition composition, Path file, String... more) {
    return TailCommandIT.dmp(ingestArgs(composition, file, more).toArray(String[]::new));
  }

  private static List<String> ingestArgs(Composition composition, Path file, String... more) {
    Topics topics = composition.topics();
    List<String> args =
        new ArrayList<>(List.of("ingest", file.toString(), "--bootstrap", composition.bootstrap()));
    for (TopicRole role :
        List.of(
            TopicRole.VISITS,
            TopicRole.IDMAP,
            TopicRole.TAXONOMY,
            TopicRole.INBOUND,
            TopicRole.INBOUND_FILES)) {
      args.add("--set");
      args.add("topic." + role.key() + ".name=" + topics.name(role));
    }
    args.addAll(List.of(more));
    return args;
  }

  private static JsonObject lastLine(String out) {
    List<String> lines = out.lines().filter(line -> line.startsWith("{")).toList();
    return new JsonObject(lines.get(lines.size() - 1));
  }
}
