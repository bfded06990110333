package org.dmp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.dmp.cli.TailCommandIT.dmp;

import io.vertx.ext.web.client.WebClient;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.dmp.partner.SamplePartner;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.RunningService;
import org.dmp.runtime.kafka.KafkaClients;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every service and every command that talks to Kafka, against a cluster that takes only SASL_SSL
 * (SCRAM-SHA-512 over TLS): given the client settings file, a visit reaches the partner, inbound
 * files from the command line and from the inbox are applied, and the commands read what the
 * services wrote. Without the file, or with a wrong password, the cluster lets nobody in.
 */
class SecuredKafkaIT {
  @RegisterExtension final SamplePartners partners = new SamplePartners();

  private static final String TAXONOMY =
      """
      {"dataSources": [{"id": 1, "name": "Site tags"}, {"id": 20001, "name": "CRM"}],
       "traits": [
         {"id": 101, "name": "Shoe page viewer", "dataSource": 1, "type": "rule", "rule": "c_category == \\"shoes\\"", "ttlDays": 30},
         {"id": 201, "name": "Gold", "dataSource": 20001, "type": "onboarded"}],
       "segments": [
         {"id": 5001, "name": "Shoe fans", "rule": "frequency([101T]) >= 1"},
         {"id": 5002, "name": "Gold", "rule": "[201T]"}],
       "destinations": [
         {"id": 9001, "name": "partner", "type": "http", "dataSource": 20001, "url": "%s", "clientId": "c1",
          "mappings": {"5001": "fans", "5002": "gold"}}]}
      """;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void everyServiceAndCommandWorksOverSaslSslAndNothingGetsInWithoutIt(@TempDir Path dir)
      throws Exception {
    SamplePartner partner = partners.start();
    try (SecuredBroker broker = SecuredBroker.start(dir.resolve("broker"))) {
      assertThatThrownBy(() -> SecuredBroker.reach(KafkaClients.of(broker.bootstrap())))
          .as("a client without the settings file")
          .isInstanceOf(ExecutionException.class);
      assertThatThrownBy(
              () ->
                  SecuredBroker.reach(
                      KafkaClients.of(
                          broker.bootstrap(), Optional.of(broker.wrongPasswordConfig()))))
          .as("a client with a wrong password")
          .hasCauseInstanceOf(SaslAuthenticationException.class);

      List<String> kafka =
          List.of(
              "--bootstrap",
              broker.bootstrap(),
              "--kafka-config",
              broker.clientConfig().toString());
      TailCommandIT.Run topics = dmp(args(List.of("topics"), kafka));
      assertThat(topics.exitCode()).as(topics.err()).isZero();
      Path taxonomy =
          Files.writeString(dir.resolve("taxonomy.json"), TAXONOMY.formatted(partner.url()));
      TailCommandIT.Run applied =
          dmp(args(List.of("taxonomy", "apply", taxonomy.toString()), kafka));
      assertThat(applied.exitCode()).as(applied.err()).isZero();
      assertThat(applied.out()).contains("as revision 1");

      try (Composition composition =
          Composition.onCluster(broker.bootstrap(), broker.clientConfig(), dir)) {
        Composition.Qualifier qualifier = composition.startQualifier(0);
        composition.startPartnerSync();
        RunningService edge = composition.startEdge(qualifier.port());
        Path inbox = dir.resolve("inbox");
        composition.startInbound(inbox);

        String visitor =
            new BigInteger(126, new SecureRandom()).add(BigInteger.TEN.pow(37)).toString();
        int status =
            MainThread.await(
                    WebClient.create(composition.vertx())
                        .get(
                            edge.httpPort(),
                            "127.0.0.1",
                            "/event?c_category=shoes&d_uuid=" + visitor + "&d_cid=20001%01crm-1")
                        .send(),
                    WAIT,
                    "a hit at the edge")
                .statusCode();
        assertThat(status).isEqualTo(200);
        awaitSent(partner, visitor, "fans", "1");

        long hourAgo = Instant.now().minus(Duration.ofHours(1)).getEpochSecond();
        Path file =
            Files.writeString(
                dir.resolve("ftp_dpm_20001_" + hourAgo + ".sync"), "crm-1\td_sid=201\n");
        TailCommandIT.Run ingested = dmp(args(List.of("ingest", file.toString()), kafka));
        assertThat(ingested.exitCode()).as(ingested.err()).isZero();
        awaitSent(partner, visitor, "gold", "1");

        // The inbox takes a file once it is renamed in, as a partner's upload finishes.
        Path partial = Files.writeString(dir.resolve("upload.partial"), "crm-1\td_unsid=201\n");
        Files.move(partial, inbox.resolve("ftp_dpm_20001_" + (hourAgo + 60) + ".sync"));
        awaitSent(partner, visitor, "gold", "0");

        TailCommandIT.Run tail =
            dmp(
                args(
                    List.of(
                        "tail",
                        "dmp.segments",
                        "--from-beginning",
                        "--max",
                        "1",
                        "--timeout",
                        "30"),
                    kafka));
        assertThat(tail.exitCode()).as(tail.err()).isZero();
        assertThat(tail.out()).contains(visitor);
        TailCommandIT.Run deliveries =
            dmp(args(List.of("deliveries", "--visitor", visitor), kafka));
        assertThat(deliveries.exitCode()).as(deliveries.err()).isZero();
        assertThat(deliveries.out()).contains("9001");
        TailCommandIT.Run held = dmp(args(List.of("privacy", "verify", "--uuid", visitor), kafka));
        assertThat(held.exitCode()).as(held.err()).isEqualTo(1);
        assertThat(held.out()).contains("held: dmp.segments");
        TailCommandIT.Run runs = dmp(args(List.of("replay", "list"), kafka));
        assertThat(runs.exitCode()).as(runs.err()).isZero();
      }
    }
  }

  private static void awaitSent(
      SamplePartner partner, String visitor, String segment, String status) {
    await()
        .atMost(WAIT)
        .alias(visitor + " sent as " + segment + " " + status)
        .until(
            () ->
                partner.received().stream()
                    .anyMatch(request -> request.visitors(segment, status).contains(visitor)));
  }

  private static String[] args(List<String> command, List<String> kafka) {
    List<String> all = new ArrayList<>(command);
    all.addAll(kafka);
    return all.toArray(String[]::new);
  }
}
