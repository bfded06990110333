package org.dmp.cli;

import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.dmp.avro.VisitEvent;
import org.dmp.console.ConsoleConfig;
import org.dmp.console.ConsoleMain;
import org.dmp.edge.EdgeConfig;
import org.dmp.edge.EdgeMain;
import org.dmp.inbound.service.InboundConfig;
import org.dmp.inbound.service.InboundMain;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.qualifier.QualifierConfig;
import org.dmp.qualifier.QualifierMain;
import org.dmp.runtime.CommonConfig;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.RunningService;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.topics.Topics;
import org.dmp.sync.PartnerSyncConfig;
import org.dmp.sync.PartnerSyncMain;
import org.dmp.taxonomy.Taxonomy;
import org.dmp.taxonomy.TaxonomyPublisher;

/**
 * The services as deployed, on the embedded broker or a cluster of a test's own: each service in a
 * Vert.x of its own, all closed with the composition.
 */
final class Composition implements AutoCloseable {
  static final Duration START = Duration.ofSeconds(60);

  /** What the services' operator endpoints require in tests. */
  static final String OPERATOR_TOKEN = "test-operator-token";

  private final List<Vertx> started = new ArrayList<>();
  private final List<String> common;
  private final List<String> qualifierSettings;
  private final KafkaClients kafka;
  private final Topics topics;
  private final String syncGroupPrefix;
  private final Path optOutJournal;

  /** A qualifier, and the Vert.x it runs in (close it to stop the qualifier). */
  record Qualifier(Vertx vertx, int port) {}

  private Composition(List<String> cluster, Path stateDir, String name) {
    this.common = concat(cluster, "--http.host=127.0.0.1", "--operator.token=" + OPERATOR_TOKEN);
    this.qualifierSettings =
        concat(
            common,
            "--qualifier.application-id=" + UniqueNames.group(name),
            "--qualifier.state-dir=" + stateDir.resolve("qualifier"),
            "--qualifier.instance-id=" + name + "-1",
            // Tests look at populations within seconds.
            "--qualifier.populations-every=1s");
    CommonConfig config = qualifierConfig(qualifierSettings, 0).common();
    this.kafka = config.kafka();
    this.topics = config.topics();
    this.syncGroupPrefix = UniqueNames.group("sync") + "-";
    this.optOutJournal = stateDir.resolve("optout-journal");
  }

  /**
   * On the shared broker, with topics of its own, created, and the taxonomy applied.
   *
   * @param name what the topics, the group and the instance are named after
   */
  static Composition create(
      EmbeddedKafkaBroker broker, Path stateDir, String name, Taxonomy taxonomy) throws Exception {
    Composition composition =
        new Composition(
            List.of(
                "--kafka.bootstrap=" + broker.bootstrapServers(),
                "--topic.visits.name=" + UniqueNames.topic(name + "-visits"),
                "--topic.segments.name=" + UniqueNames.topic(name + "-segments"),
                "--topic.idmap.name=" + UniqueNames.topic(name + "-idmap"),
                "--topic.taxonomy.name=" + UniqueNames.topic(name + "-taxonomy"),
                "--topic.inbound.name=" + UniqueNames.topic(name + "-inbound"),
                "--topic.inbound-files.name=" + UniqueNames.topic(name + "-inbound-files"),
                "--topic.populations.name=" + UniqueNames.topic(name + "-populations")),
            stateDir,
            name);
    try (Admin admin = composition.kafka.admin(Map.of())) {
      composition.topics.createMissing(admin);
    }
    TaxonomyPublisher.apply(
        composition.kafka, composition.topics.taxonomy(), taxonomy, name, Clock.systemUTC());
    return composition;
  }

  /**
   * On a cluster of its own, as {@code dmp} commands find it: the topics' default names, and every
   * Kafka client with the settings of {@code clientConfig}. Its user creates the topics and applies
   * the taxonomy.
   */
  static Composition onCluster(String bootstrap, Path clientConfig, Path stateDir) {
    return new Composition(
        List.of("--kafka.bootstrap=" + bootstrap, "--kafka.client.config-file=" + clientConfig),
        stateDir,
        "own-cluster");
  }

  String bootstrap() {
    return kafka.bootstrap();
  }

  /** The qualifier's Kafka Streams application id, which is its consumer group. */
  String qualifierApplicationId() {
    return qualifierConfig(qualifierSettings, 0).applicationId();
  }

  Topics topics() {
    return topics;
  }

  /**
   * @param port 0 for any; a restarted qualifier takes its port back
   */
  Qualifier startQualifier(int port) throws InterruptedException {
    Vertx vertx = vertx();
    RunningService qualifier =
        MainThread.await(
            QualifierMain.start(vertx, qualifierConfig(qualifierSettings, port)),
            START,
            "starting the qualifier");
    return new Qualifier(vertx, qualifier.httpPort());
  }

  void stop(Qualifier qualifier) throws InterruptedException {
    MainThread.await(qualifier.vertx().close(), START, "stopping the qualifier");
    started.remove(qualifier.vertx());
  }

  /**
   * @param settings the edge's settings beyond the composition's
   */
  RunningService startEdge(int qualifierPort, String... settings) throws InterruptedException {
    List<String> edgeSettings =
        concat(
            concat(
                common,
                "--http.port=0",
                "--answers.qualifier-url=http://127.0.0.1:" + qualifierPort,
                "--optout.journal-dir=" + optOutJournal),
            settings);
    return MainThread.await(
        EdgeMain.start(vertx(), EdgeConfig.SETTINGS.read(Map.of(), edgeSettings, EdgeConfig::read)),
        START,
        "starting the edge");
  }

  /** Partner sync, delivering from the composition's segments topic. */
  RunningService startPartnerSync(String... settings) throws InterruptedException {
    PartnerSyncConfig config =
        PartnerSyncMain.SETTINGS.read(
            Map.of(),
            concat(
                concat(
                    common,
                    "--http.port=0",
                    "--sync.group-prefix=" + syncGroupPrefix,
                    "--sync.retry.initial-delay=50ms",
                    "--sync.retry.max-delay=500ms"),
                settings),
            PartnerSyncConfig::read);
    return MainThread.await(PartnerSyncMain.start(vertx(), config), START, "starting partner sync");
  }

  /**
   * A hit on {@code edge}, as a tag sends it, from the visitor the {@code dmp} cookie names; the
   * edge's status.
   */
  static int hit(RunningService edge, String query, String visitor) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + edge.httpPort() + "/event?" + query))
                .header("Cookie", "dmp=" + visitor)
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /**
   * Waits until {@code edge} answers with the qualifier's segments in time: a qualifier that has
   * just started answers only once its partitions are assigned, and until then answers are stale.
   */
  static void awaitFreshAnswers(RunningService edge) {
    HttpClient client = HttpClient.newHttpClient();
    URI warmUp =
        URI.create(
            "http://127.0.0.1:" + edge.httpPort() + "/event?d_rtbd=json&d_uuid=" + Long.MAX_VALUE);
    await()
        .atMost(START)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              HttpResponse<String> answer =
                  client.send(
                      HttpRequest.newBuilder(warmUp).build(), HttpResponse.BodyHandlers.ofString());
              return answer.statusCode() == 200
                  && !new JsonObject(answer.body()).getBoolean("stale", false);
            });
  }

  /** The console, logging in with the composition's operator token. */
  ConsoleMain.Console startConsole(String... settings) throws InterruptedException {
    ConsoleConfig config =
        ConsoleConfig.SETTINGS.read(
            Map.of(), concat(concat(common, "--http.port=0"), settings), ConsoleConfig::read);
    return MainThread.await(ConsoleMain.start(vertx(), config), START, "starting the console");
  }

  /** The inbound service, watching {@code inbox}. */
  RunningService startInbound(Path inbox) throws InterruptedException {
    InboundConfig config =
        InboundConfig.SETTINGS.read(
            Map.of(),
            concat(
                common,
                "--http.port=0",
                "--inbound.inbox=" + inbox,
                "--inbound.poll-interval=50ms"),
            InboundConfig::read);
    return MainThread.await(
        InboundMain.start(vertx(), config, name -> Optional.empty()),
        START,
        "starting the inbound service");
  }

  /** The consumer group partner sync reads a destination's changes with. */
  String syncGroup(long destinationId) {
    return syncGroupPrefix + destinationId;
  }

  /**
   * Writes the events to the composition's visits topic, each keyed by its visitor, and waits until
   * Kafka has every one.
   */
  void produce(List<VisitEvent> events) throws Exception {
    try (var producer =
        kafka.producer(
            Map.of(), topics.visits().keys().serializer(), topics.visits().values().serializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (VisitEvent event : events) {
        sent.add(
            producer.send(
                new ProducerRecord<>(topics.visits().name(), event.getVisitorId(), event)));
      }
      for (Future<RecordMetadata> each : sent) {
        each.get(START.toSeconds(), TimeUnit.SECONDS);
      }
    }
  }

  /** A Vert.x closed with the composition. */
  Vertx vertx() {
    Vertx vertx = Vertx.vertx();
    started.add(vertx);
    return vertx;
  }

  @Override
  public void close() throws InterruptedException {
    for (Vertx vertx : started) {
      MainThread.await(vertx.close(), START, "closing");
    }
    started.clear();
  }

  private static QualifierConfig qualifierConfig(List<String> settings, int port) {
    return QualifierConfig.SETTINGS.read(
        Map.of(), concat(settings, "--http.port=" + port), QualifierConfig::read);
  }

  private static List<String> concat(List<String> settings, String... more) {
    return Stream.concat(settings.stream(), Stream.of(more)).toList();
  }
}
