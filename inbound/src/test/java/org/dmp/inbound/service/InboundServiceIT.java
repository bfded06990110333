package org.dmp.inbound.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.RunningService;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.taxonomy.TaxonomyPublisher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inbound service as partners use it: files renamed into its inbox and files PUT with its token
 * are ingested, with a receipt each; everything else is refused with a reason.
 */
@ExtendWith(KafkaBrokerExtension.class)
class InboundServiceIT {
  private static final String TOKEN = "s3cret-token";
  private static final Duration START = Duration.ofSeconds(60);

  /** HTTP/1.1, as curl and most upload tools speak it. */
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private Vertx vertx;
  private Path inbox;
  private String base;

  @BeforeEach
  void start(EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
    String bootstrap = broker.bootstrapServers();
    InboundConfig config =
        InboundConfig.SETTINGS.read(
            Map.of(),
            List.of(
                "--kafka.bootstrap=" + bootstrap,
                "--http.host=127.0.0.1",
                "--http.port=0",
                "--inbound.inbox=" + dir.resolve("inbox"),
                "--inbound.poll-interval=50ms",
                "--inbound.max-upload-mb=1",
                "--topic.visits.name=" + UniqueNames.topic("inbound-visits"),
                "--topic.idmap.name=" + UniqueNames.topic("inbound-idmap"),
                "--topic.taxonomy.name=" + UniqueNames.topic("inbound-taxonomy"),
                "--topic.inbound.name=" + UniqueNames.topic("inbound-lines"),
                "--topic.inbound-files.name=" + UniqueNames.topic("inbound-files")),
            InboundConfig::read);
    try (Admin admin = KafkaClients.of(bootstrap).admin(Map.of())) {
      config.common().topics().createMissing(admin);
    }
    TaxonomyPublisher.apply(
        KafkaClients.of(bootstrap),
        config.common().topics().taxonomy(),
        TaxonomyFile.parse(
            "inbound",
            """
            {"dataSources": [{"id": 20001, "name": "CRM"}],
             "traits": [{"id": 201, "name": "Gold", "dataSource": 20001, "type": "onboarded"}]}
            """),
        "inbound test",
        Clock.systemUTC());
    inbox = config.inbox();
    vertx = Vertx.vertx();
    RunningService service =
        MainThread.await(
            InboundMain.start(
                vertx,
                config,
                name ->
                    name.equals("INBOUND_UPLOAD_TOKEN") ? Optional.of(TOKEN) : Optional.empty()),
            START,
            "starting the inbound service");
    base = "http://127.0.0.1:" + service.httpPort();
  }

  @AfterEach
  void stop() throws Exception {
    MainThread.await(vertx.close(), START, "stopping the inbound service");
  }

  @Test
  void aFileRenamedIntoTheInboxIsIngestedAndOneStillUploadingIsLeft() throws Exception {
    Path uploading =
        Files.writeString(
            inbox.resolve("ftp_dpm_20001_1764547200.sync.partial"), "crm-0\td_sid=201\n");
    Path written =
        Files.writeString(inbox.resolve(".incoming"), "crm-1\td_sid=201\ncrm-2\td_sid=7\n");
    Files.move(written, inbox.resolve("ftp_dpm_20001_1764547201.sync"));

    Path receipt = inbox.resolve("receipts").resolve("ftp_dpm_20001_1764547201.sync.json");
    await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(receipt));

    JsonObject read = new JsonObject(Files.readString(receipt));
    assertThat(read.getString("state")).isEqualTo("DONE");
    assertThat(read.getLong("linesApplied")).isEqualTo(1);
    assertThat(read.getJsonArray("errors").getList())
        .containsExactly(
            "line 2: \"d_sid=7\": trait 7 is not an onboarded trait of data source 20001");
    assertThat(inbox.resolve("processed").resolve("ftp_dpm_20001_1764547201.sync")).exists();
    assertThat(uploading).as("still being uploaded").exists();
  }

  @Test
  void anUploadWithTheTokenIsIngestedAndItsReceiptServed() throws Exception {
    String name = "ftp_dpm_20001_1764547300.sync";
    HttpResponse<String> accepted = put(name, "crm-1\td_sid=201\n", TOKEN);

    assertThat(accepted.statusCode()).isEqualTo(202);
    JsonObject answer = new JsonObject(accepted.body());
    assertThat(answer.getLong("bytes")).isEqualTo(16);
    String receiptPath = accepted.headers().firstValue("Location").orElseThrow();
    await().atMost(Duration.ofSeconds(60)).until(() -> get(receiptPath, TOKEN).statusCode() == 200);
    JsonObject receipt = new JsonObject(get(receiptPath, TOKEN).body());
    assertThat(receipt.getString("state")).isEqualTo("DONE");
    assertThat(receipt.getLong("linesApplied")).isEqualTo(1);
    assertThat(get(receiptPath, "wrong").statusCode()).isEqualTo(401);
  }

  @Test
  void uploadsWithoutTheTokenABadNameOrTooManyBytesAreRefusedWithAReason() throws Exception {
    HttpResponse<String> anonymous =
        put("ftp_dpm_20001_1764547400.sync", "crm-1\td_sid=201\n", null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(anonymous.body()).getString("reason"))
        .isEqualTo("a valid bearer token is required");

    HttpResponse<String> badName = put("crm.txt", "crm-1\td_sid=201\n", TOKEN);
    assertThat(badName.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(badName.body()).getString("reason"))
        .startsWith("the file name \"crm.txt\" is not ftp_dpm_");

    HttpResponse<String> tooLarge =
        put("ftp_dpm_20001_1764547401.sync", "x".repeat(2 << 20), TOKEN);
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(new JsonObject(tooLarge.body()).getString("reason"))
        .contains("larger than 1048576 bytes");

    HttpResponse<String> noReceipt = get("/inbound/ftp_dpm_20001_1764547401.sync/receipt", TOKEN);
    assertThat(noReceipt.statusCode()).isEqualTo(404);
    try (var left = Files.list(inbox)) {
      assertThat(left.map(path -> path.getFileName().toString()))
          .as("nothing of the refused uploads is left in the inbox")
          .containsExactlyInAnyOrder("processed", "receipts");
    }
  }

  private HttpResponse<String> put(String name, String body, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + "/inbound/" + name))
            .PUT(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
