package org.dmp.cli;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.Quorum;
import org.dmp.runtime.kafka.KafkaClients;

/**
 * The embedded broker with a listener as a secured cluster has one: SASL_SSL, SCRAM-SHA-512 over
 * TLS, with a certificate made for the test. Its plaintext listener is the broker's own, for
 * replication and to create the user; what is tested reaches only the secured one.
 */
final class SecuredBroker implements AutoCloseable {
  private static final String HOST = "127.0.0.1";
  private static final String USER = "dmp-services";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final EmbeddedKafkaBroker broker;
  private final String bootstrap;
  private final Path clientConfig;
  private final Path wrongPasswordConfig;

  private SecuredBroker(
      EmbeddedKafkaBroker broker, String bootstrap, Path clientConfig, Path wrongPasswordConfig) {
    this.broker = broker;
    this.bootstrap = bootstrap;
    this.clientConfig = clientConfig;
    this.wrongPasswordConfig = wrongPasswordConfig;
  }

  static SecuredBroker start(Path dir) throws Exception {
    Path tls = Files.createDirectories(dir.resolve("tls"));
    String storePassword = secret();
    Path keyStore = tls.resolve("broker.p12");
    keytool(
        "-genkeypair",
        "-alias",
        "broker",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=ip:" + HOST + ",dns:localhost",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        storePassword);
    Path certificate = tls.resolve("broker.pem");
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "broker",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        storePassword,
        "-file",
        certificate.toString());

    int plainPort = EmbeddedKafkaBroker.freePort();
    int securedPort = EmbeddedKafkaBroker.freePort();
    int controllerPort = EmbeddedKafkaBroker.freePort();
    String secured = "listener.name.sasl_ssl.";
    EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.start(
            dir.resolve("kafka"),
            plainPort,
            1,
            Quorum.alone(controllerPort),
            Map.of(
                "listeners",
                listener("PLAINTEXT", plainPort)
                    + ","
                    + listener("SASL_SSL", securedPort)
                    + ","
                    + listener("CONTROLLER", controllerPort),
                "advertised.listeners",
                listener("PLAINTEXT", plainPort) + "," + listener("SASL_SSL", securedPort),
                "listener.security.protocol.map",
                "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
                "sasl.enabled.mechanisms",
                "SCRAM-SHA-512",
                secured + "scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                secured + "ssl.keystore.type",
                "PKCS12",
                secured + "ssl.keystore.location",
                keyStore.toString(),
                secured + "ssl.keystore.password",
                storePassword,
                secured + "ssl.key.password",
                storePassword));
    boolean ready = false;
    try {
      String password = secret();
      try (Admin admin = KafkaClients.of(broker.bootstrapServers()).admin(Map.of())) {
        admin
            .alterUserScramCredentials(
                List.of(
                    new UserScramCredentialUpsertion(
                        USER,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192),
                        password)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      SecuredBroker securedBroker =
          new SecuredBroker(
              broker,
              HOST + ":" + securedPort,
              clientConfig(tls.resolve("client.properties"), certificate, password),
              clientConfig(tls.resolve("wrong-password.properties"), certificate, secret()));
      securedBroker.awaitTheUserIsKnown();
      ready = true;
      return securedBroker;
    } finally {
      if (!ready) {
        broker.close();
      }
    }
  }

  /** The secured listener's address. */
  String bootstrap() {
    return bootstrap;
  }

  /** A Kafka client properties file with the user's credentials and the broker's certificate. */
  Path clientConfig() {
    return clientConfig;
  }

  /** The same, with a password the broker does not know. */
  Path wrongPasswordConfig() {
    return wrongPasswordConfig;
  }

  /** Kafka clients of the secured listener, as the services make them. */
  KafkaClients clients() {
    return KafkaClients.of(bootstrap, Optional.of(clientConfig));
  }

  @Override
  public void close() {
    broker.close();
  }

  /** A credential reaches the listener a moment after the controller takes it. */
  private void awaitTheUserIsKnown() {
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> reach(clients()));
  }

  /**
   * Lists the cluster's nodes within seconds.
   *
   * @throws ExecutionException when the cluster does not let the client in
   */
  static void reach(KafkaClients clients) throws Exception {
    try (Admin admin =
        clients.admin(
            Map.of(
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                3_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                3_000))) {
      admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
    }
  }

  private static Path clientConfig(Path file, Path certificate, String password)
      throws IOException {
    return Files.writeString(
        file,
        String.join(
            "\n",
            "security.protocol=SASL_SSL",
            "sasl.mechanism=SCRAM-SHA-512",
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\""
                + USER
                + "\" password=\""
                + password
                + "\";",
            "ssl.truststore.type=PEM",
            "ssl.truststore.location=" + certificate,
            ""),
        StandardCharsets.UTF_8);
  }

  private static String listener(String name, int port) {
    return name + "://" + HOST + ":" + port;
  }

  private static String secret() {
    return new BigInteger(128, RANDOM).toString(36);
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
    }
  }
}
