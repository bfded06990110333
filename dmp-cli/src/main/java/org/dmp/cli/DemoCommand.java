package org.dmp.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;
import org.dmp.avro.BatchTarget;
import org.dmp.avro.DataSource;
import org.dmp.avro.Destination;
import org.dmp.avro.HttpTarget;
import org.dmp.avro.IdSyncTarget;
import org.dmp.cli.shop.DemoShop;
import org.dmp.console.ConsoleConfig;
import org.dmp.console.ConsoleMain;
import org.dmp.edge.EdgeConfig;
import org.dmp.edge.EdgeMain;
import org.dmp.inbound.service.InboundConfig;
import org.dmp.inbound.service.InboundMain;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.partner.SamplePartner;
import org.dmp.qualifier.QualifierConfig;
import org.dmp.qualifier.QualifierMain;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.OperatorToken;
import org.dmp.runtime.RunningService;
import org.dmp.runtime.ServiceMain;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;
import org.dmp.sync.PartnerSyncConfig;
import org.dmp.sync.PartnerSyncMain;
import org.dmp.taxonomy.Taxonomy;
import org.dmp.taxonomy.TaxonomyException;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.taxonomy.TaxonomyPublisher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Everything that exists so far, on one machine: the embedded broker, the topics of DESIGN.md and
 * the three services sharing one Vert.x instance. Grows with each piece of the pipeline.
 */
@Command(
    name = "demo",
    description = {
      "Runs the whole pipeline on an embedded broker: prints a line starting 'DMP ready:' with its URLs once",
      "everything serves, and runs until Ctrl-C."
    })
final class DemoCommand implements Callable<Integer> {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  /** The secret of any signing whose environment variable is unset: the demo runs with no setup. */
  private static final String DEMO_SECRET = "demo-secret";

  @Spec private CommandSpec spec;

  @Option(
      names = "--kafka-port",
      description = "Port of the embedded broker; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  private int kafkaPort;

  @Option(
      names = "--edge-port",
      description = "Port of the DCS edge; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  private int edgePort;

  @Option(
      names = "--partner-port",
      description =
          "Port of the sample partner endpoint; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  private int partnerPort;

  @Option(
      names = "--console-port",
      description = "Port of the console; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  private int consolePort;

  @Option(
      names = "--shop-port",
      description = "Port of the demo shop; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  private int shopPort;

  @Option(
      names = "--batch-interval",
      paramLabel = "DURATION",
      description =
          "Window of the sample taxonomy's batch destination, ISO-8601 (default: ${DEFAULT-VALUE}).")
  private Duration batchInterval;

  @Option(
      names = "--data-dir",
      description = "Folder for all the demo's data; kept across runs (default: ${DEFAULT-VALUE}).")
  private Path dataDir;

  @Option(
      names = "--taxonomy",
      paramLabel = "FILE",
      description = "Taxonomy file to use instead of the sample one.")
  private Path taxonomy;

  @Override
  public Integer call() throws Exception {
    checkOptions();
    Taxonomy sampleOrGiven;
    try {
      sampleOrGiven = taxonomy == null ? TaxonomyFile.sample() : TaxonomyFile.read(taxonomy);
    } catch (TaxonomyException e) {
      throw new ParameterException(spec.commandLine(), "--taxonomy " + e.getMessage());
    }
    Shutdown shutdown = new Shutdown();
    EmbeddedKafkaBroker broker =
        shutdown.closeAtExit(
            EmbeddedKafkaBroker.start(dataDir.resolve("kafka"), kafkaPort, Map.of()));
    String bootstrap = broker.bootstrapServers();
    List<String> kafka = List.of("--kafka.bootstrap", bootstrap);
    // One operator token for every service: the one given, or a new one printed below.
    Map<String, String> env = new HashMap<>(System.getenv());
    String operatorToken =
        env.computeIfAbsent(OperatorToken.VARIABLE, unset -> UUID.randomUUID().toString());

    Topics topics = TopicsCommand.configured(env);
    TopicsCommand.createMissing(topics, KafkaClients.of(bootstrap));

    // One event loop per core, not Vert.x's two: the broker and the stream threads share the cores.
    Vertx vertx =
        Vertx.vertx(
            new VertxOptions().setEventLoopPoolSize(Runtime.getRuntime().availableProcessors()));
    shutdown.closeAtExit(() -> ServiceMain.stop(vertx, "demo services", Duration.ZERO));
    Function<String, Optional<String>> secrets =
        name -> Optional.ofNullable(env.get(name)).or(() -> Optional.of(DEMO_SECRET));
    SamplePartner partner =
        new SamplePartner(partnerPort, verification(sampleOrGiven, secrets), true, 0);
    MainThread.await(vertx.deployVerticle(partner), START_TIMEOUT, "starting the sample partner");
    Path outboxes = dataDir.resolve("outbox").toAbsolutePath();
    if (taxonomy == null) {
      sampleOrGiven = forDemo(sampleOrGiven, partner, outboxes, batchInterval);
    }
    String taxonomySource = taxonomy == null ? TaxonomyFile.SAMPLE : taxonomy.toString();
    TaxonomyPublisher.Applied applied =
        TaxonomyPublisher.apply(
            KafkaClients.of(bootstrap),
            topics.taxonomy(),
            sampleOrGiven,
            taxonomySource,
            Clock.systemUTC());

    // The qualifier first: the edge's same-hit answers ask its query API.
    RunningService qualifier =
        MainThread.await(
            QualifierMain.start(
                vertx,
                QualifierConfig.SETTINGS.read(
                    env,
                    withPort(
                        append(
                            kafka,
                            "--qualifier.state-dir",
                            dataDir.resolve("qualifier").toString(),
                            // Two stream threads on the demo's one machine, unless the
                            // environment says otherwise: with one, a burst the edge took while
                            // the JIT was still compiling left the qualifier seconds behind, and
                            // same-hit answers stale that long.
                            "--qualifier.stream-threads",
                            env.getOrDefault("DMP_QUALIFIER_STREAM_THREADS", "2")),
                        0),
                    QualifierConfig::read)),
            START_TIMEOUT,
            "starting the qualifier");
    List<String> edgeSettings =
        append(
            withPort(kafka, edgePort),
            "--answers.qualifier-url",
            "http://127.0.0.1:" + qualifier.httpPort(),
            "--optout.journal-dir",
            dataDir.resolve("optout-journal").toString());
    List<RunningService> others =
        MainThread.await(
                Future.all(
                    EdgeMain.start(
                        vertx, EdgeConfig.SETTINGS.read(env, edgeSettings, EdgeConfig::read)),
                    PartnerSyncMain.start(
                        vertx,
                        PartnerSyncMain.SETTINGS.read(
                            env,
                            append(
                                withPort(kafka, 0),
                                "--sync.batch.spool-dir",
                                dataDir.resolve("partner-sync").toString(),
                                "--sync.batch.outbox-root",
                                outboxes.toString()),
                            PartnerSyncConfig::read),
                        secrets),
                    InboundMain.start(
                        vertx,
                        InboundConfig.SETTINGS.read(
                            env,
                            append(
                                withPort(kafka, 0),
                                "--inbound.inbox",
                                dataDir.resolve("inbox").toString()),
                            InboundConfig::read),
                        secrets)),
                START_TIMEOUT,
                "starting the services")
            .list();
    List<RunningService> services = List.of(others.get(0), qualifier, others.get(1), others.get(2));
    ConsoleMain.Console console =
        MainThread.await(
            ConsoleMain.start(
                vertx,
                ConsoleConfig.SETTINGS.read(
                    env,
                    append(
                        withPort(kafka, consolePort),
                        "--console.partner-sync-urls",
                        "http://127.0.0.1:" + services.get(2).httpPort(),
                        "--console.qualifier-url",
                        "http://127.0.0.1:" + qualifier.httpPort()),
                    ConsoleConfig::read)),
            START_TIMEOUT,
            "starting the console");
    taxonomySyncs(sampleOrGiven)
        .ifPresent(
            dataSource ->
                partner.answerIdSyncs(
                    "http://127.0.0.1:" + services.get(0).httpPort(), dataSource));
    DemoShop shop =
        new DemoShop("127.0.0.1", shopPort, "http://127.0.0.1:" + services.get(0).httpPort());
    MainThread.await(vertx.deployVerticle(shop), START_TIMEOUT, "starting the demo shop");

    var out = spec.commandLine().getOut();
    StringBuilder ready = new StringBuilder("DMP ready:");
    services.forEach(
        service ->
            ready
                .append(' ')
                .append(service.name())
                .append("=http://127.0.0.1:")
                .append(service.httpPort())
                .append('/'));
    out.println(
        ready
            .append(" shop=")
            .append(shop.url())
            .append(" console=")
            .append(console.loginLink("127.0.0.1"))
            .append(" partner=")
            .append(partner.url())
            .append(" kafka=")
            .append(bootstrap));
    out.println("  topics: " + topics);
    out.println(
        "  taxonomy: "
            + taxonomySource
            + " applied as revision "
            + applied.revision()
            + " ("
            + applied.items()
            + " items)");
    out.println("  data:   " + dataDir.toAbsolutePath());
    out.println(
        "  send a tag call: curl -i 'http://127.0.0.1:"
            + services.get(0).httpPort()
            + "/event?c_category=shoes&d_rtbd=json'");
    out.println(
        "  watch a topic: ./dmp tail "
            + topics.name(TopicRole.VISITS)
            + " --bootstrap "
            + bootstrap
            + " --from-beginning");
    if (taxonomy == null) {
      out.println(
          "  batch files: "
              + outboxes
              + " (the sample's batch destination writes one every "
              + batchInterval
              + ")");
    }
    out.println(
        "  partner: "
            + partner.url()
            + " logs each real-time delivery it receives; unset signing secrets are '"
            + DEMO_SECRET
            + "'");
    out.println(
        "  inbound files: drop ftp_dpm_20001_<unix seconds>.sync files into "
            + dataDir.resolve("inbox").toAbsolutePath()
            + " (receipts in receipts/ there), or PUT them to http://127.0.0.1:"
            + services.get(3).httpPort()
            + "/inbound/<file name> with 'Authorization: Bearer "
            + DEMO_SECRET
            + "', or ./dmp ingest FILE --bootstrap "
            + bootstrap);
    out.println(
        "  a visitor's deliveries: ./dmp deliveries --visitor 778 --bootstrap "
            + bootstrap
            + "  (send the tag call above three times with d_cid=20001%01dsp-778 and cookie dmp=778)");
    out.println(
        "  operator endpoints (/metrics, the qualifier's /segments/<visitor id>, partner sync's"
            + " /destinations): curl -H 'Authorization: Bearer "
            + operatorToken
            + "' http://127.0.0.1:"
            + services.get(2).httpPort()
            + "/destinations");
    out.println(
        "  shop: "
            + shop.url()
            + " carries the tag (dmp.js, from the edge) on every page: three shoe pages put a"
            + " browser in segment 5001");
    out.println(
        "  console: the console= link above logs a browser in once; after that, log in at"
            + " http://127.0.0.1:"
            + console.service().httpPort()
            + "/login with the operator token above. The taxonomy API it edits through is"
            + " described at /api/openapi.json.");
    out.println("  Ctrl-C stops everything.");
    out.flush();
    shutdown.await();
    return 0;
  }

  private void checkOptions() {
    for (int port : new int[] {kafkaPort, edgePort, partnerPort, consolePort, shopPort}) {
      if (port < 0 || port > 65_535) {
        throw new ParameterException(
            spec.commandLine(), "ports must be 0 (any free port) or 1-65535, was " + port);
      }
    }
    if (batchInterval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new ParameterException(
          spec.commandLine(), "--batch-interval must be at least one second, was " + batchInterval);
    }
    if (taxonomy != null && !Files.isReadable(taxonomy)) {
      throw new ParameterException(
          spec.commandLine(), "--taxonomy " + taxonomy + ": no readable file there");
    }
  }

  /**
   * The sample taxonomy made to show its results here: real-time destinations post to the demo's
   * own partner endpoint instead of the example URL, and batch destinations write a file a minute
   * into the demo's data folder instead of once a day.
   */
  private static Taxonomy forDemo(
      Taxonomy taxonomy, SamplePartner partner, Path outboxes, Duration batchInterval) {
    String partnerUrl = partner.url();
    List<Destination> destinations =
        taxonomy.destinations().stream()
            .map(
                destination -> {
                  Destination.Builder demo = Destination.newBuilder(destination);
                  if (destination.getHttp() != null) {
                    demo.setHttp(
                        HttpTarget.newBuilder(destination.getHttp()).setUrl(partnerUrl).build());
                  }
                  if (destination.getBatch() != null) {
                    demo.setBatch(
                        BatchTarget.newBuilder(destination.getBatch())
                            .setInterval(batchInterval.toString())
                            .setOutbox(
                                outboxes.resolve(Long.toString(destination.getId())).toString())
                            .build());
                  }
                  return demo.build();
                })
            .toList();
    // The partner's ID syncs go to the sample partner, which sends the browser back with its id.
    List<DataSource> dataSources =
        taxonomy.dataSources().stream()
            .map(
                source ->
                    source.getIdSync() == null
                        ? source
                        : DataSource.newBuilder(source)
                            .setIdSync(
                                IdSyncTarget.newBuilder(source.getIdSync())
                                    .setUrl(partner.idSyncUrl())
                                    .build())
                            .build())
            .toList();
    return new Taxonomy(dataSources, taxonomy.traits(), taxonomy.segments(), destinations);
  }

  /** The data source whose ID syncs the sample partner answers: the first that has one. */
  private static Optional<Long> taxonomySyncs(Taxonomy taxonomy) {
    return taxonomy.dataSources().stream()
        .filter(source -> source.getIdSync() != null)
        .map(DataSource::getId)
        .findFirst();
  }

  /** The partner checks signatures as the first signed http destination signs them. */
  private static Optional<SamplePartner.Verification> verification(
      Taxonomy taxonomy, Function<String, Optional<String>> secrets) {
    return taxonomy.destinations().stream()
        .filter(
            destination ->
                destination.getHttp() != null && destination.getHttp().getSigning() != null)
        .map(destination -> destination.getHttp().getSigning())
        .findFirst()
        .map(
            signing ->
                new SamplePartner.Verification(
                    signing.getAlgorithm(),
                    signing.getHeader(),
                    List.of(secrets.apply(signing.getSecretEnv()).orElseThrow().split(","))));
  }

  private static List<String> withPort(List<String> args, int port) {
    return append(args, "--http.port", Integer.toString(port));
  }

  private static List<String> append(List<String> args, String... more) {
    return Stream.concat(args.stream(), Stream.of(more)).toList();
  }
}
