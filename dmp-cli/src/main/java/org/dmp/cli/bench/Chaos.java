package org.dmp.cli.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.dmp.avro.EventSource;
import org.dmp.avro.VisitEvent;
import org.dmp.cli.TopicsCommand;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.partner.SamplePartner;
import org.dmp.runtime.MainThread;
import org.dmp.runtime.OperatorToken;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.runtime.kafka.TopicSnapshot;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.taxonomy.TaxonomyPublisher;

/**
 * The composition as separate processes (three Kafka nodes, the edge, the qualifier, partner sync)
 * under steady load from this process, with faults in turn: each service killed with kill -9 and
 * started again, one Kafka node killed and brought back, the partner failing every request for a
 * while. Then it counts what became of every call the edge acknowledged: in the event log, and its
 * change at the partner, more than once only under one idempotency key.
 */
final class Chaos implements AutoCloseable {
  private static final Duration START = Duration.ofMinutes(2);
  private static final Pattern BROKER_READY = Pattern.compile("Kafka broker ready at");
  private static final int NODES = 3;
  private static final String VISITOR_PREFIX = "7";

  /**
   * Seven JVMs share the machine, and what is counted is loss, not speed: the quick compiler alone
   * starts (and restarts) each in a fraction of the time the optimizing one takes on two cores.
   */
  private static final List<String> JVM_OPTIONS =
      List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  /**
   * @param rate calls a second
   * @param callsBetweenFaults how many calls the edge acknowledges before each fault, and while a
   *     Kafka node is down
   * @param drain how long deliveries may make no progress before what is missing counts as lost
   */
  record Settings(double rate, int callsBetweenFaults, Duration drain) {}

  /** What became of the acknowledged calls. */
  record Result(
      long sent,
      long acknowledged,
      long inLog,
      long lost,
      long delivered,
      long undelivered,
      long duplicates,
      long unexplainedDuplicates,
      long refusedByPartner,
      List<String> faults,
      Duration elapsed) {
    JsonObject toJson() {
      return new JsonObject()
          .put("bench", "chaos")
          .put("sent", sent)
          .put("acknowledged", acknowledged)
          .put("in_log", inLog)
          .put("lost", lost)
          .put("delivered", delivered)
          .put("undelivered", undelivered)
          .put("duplicates", duplicates)
          .put("unexplained_duplicates", unexplainedDuplicates)
          .put("refused_by_partner", refusedByPartner)
          .put("faults", new JsonArray(faults))
          .put("seconds", elapsed.toSeconds());
    }
  }

  private final ScratchDirectory scratch;
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  private final SamplePartner partner = new SamplePartner(0, Optional.empty(), false, 100);
  private final List<DmpProcess> brokers = new ArrayList<>();
  private final Map<String, DmpProcess> services = new LinkedHashMap<>();
  private final Map<String, Integer> ports = new LinkedHashMap<>();
  private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
  private final Map<String, List<String>> receipts = new ConcurrentHashMap<>();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong nextCall = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final List<String> faults = new ArrayList<>();
  private volatile boolean loading = true;
  private boolean finished;
  private final long began = System.nanoTime();
  private String bootstrap;

  private Chaos(ScratchDirectory scratch) {
    this.scratch = scratch;
  }

  static Result run(Settings settings, PrintWriter out) throws Exception {
    try (Chaos chaos = new Chaos(ScratchDirectory.onDisk("dmp-chaos-"))) {
      return chaos.runIn(settings, out);
    }
  }

  private Result runIn(Settings settings, PrintWriter out) throws Exception {
    startComposition(out);
    Thread load = new Thread(() -> load(settings.rate()), "chaos-load");
    load.start();
    try {
      LongSupplier acked = acknowledged::size;
      awaitMore(acked, settings.callsBetweenFaults(), "calls acknowledged before the first fault");
      for (String service : List.of("dcs-edge", "qualifier", "partner-sync")) {
        DmpProcess process = services.get(service);
        fault(out, "kill -9 " + service);
        process.kill();
        process.restart();
        process.awaitReady(ports.get(service), START);
        awaitMore(acked, settings.callsBetweenFaults(), "calls acknowledged after " + service);
      }
      DmpProcess node = brokers.get(1);
      fault(out, "kill -9 kafka node 2");
      int from = node.logLines();
      node.kill();
      awaitMore(acked, settings.callsBetweenFaults(), "calls acknowledged with a Kafka node down");
      // The node recovers its log while the partner fails: the two overlap, the kills do not.
      node.restart();
      fault(out, "partner fails every request");
      partner.failShare(1);
      long refusedBefore = refused.get();
      awaitMore(refused::get, 3, "requests the failing partner refused");
      partner.failShare(0);
      fault(out, "partner answers again (" + (refused.get() - refusedBefore) + " refused)");
      node.awaitLine(BROKER_READY, from, START);
      fault(out, "kafka node 2 back");
      awaitMore(acked, settings.callsBetweenFaults(), "calls acknowledged after the last fault");
    } finally {
      loading = false;
      load.join();
    }
    awaitDeliveries(settings.drain());
    Result result = count(Duration.ofNanos(System.nanoTime() - began));
    finished = true;
    return result;
  }

  private void fault(PrintWriter out, String what) {
    faults.add(what);
    out.println(
        "chaos: "
            + what
            + " at "
            + Duration.ofNanos(System.nanoTime() - began).toSeconds()
            + " s ("
            + acknowledged.size()
            + " calls acknowledged so far)");
    out.flush();
  }

  private void startComposition(PrintWriter out) throws Exception {
    partner.onReceived(
        received -> {
          if (received.status() == 200) {
            received
                .visitorIds()
                .forEach(
                    visitor ->
                        receipts
                            .computeIfAbsent(
                                visitor, key -> new java.util.concurrent.CopyOnWriteArrayList<>())
                            .add(received.idempotencyKey()));
          } else {
            refused.incrementAndGet();
          }
        });
    MainThread.await(vertx.deployVerticle(partner), START, "starting the partner");
    Map<Integer, Integer> controllers = new LinkedHashMap<>();
    List<String> clients = new ArrayList<>();
    for (int node = 1; node <= NODES; node++) {
      controllers.put(node, EmbeddedKafkaBroker.freePort());
      clients.add("127.0.0.1:" + EmbeddedKafkaBroker.freePort());
    }
    bootstrap = String.join(",", clients);
    String quorum =
        controllers.entrySet().stream()
            .map(voter -> voter.getKey() + "@" + voter.getValue())
            .collect(Collectors.joining(","));
    String clusterId = Uuid.randomUuid().toString();
    for (int node = 1; node <= NODES; node++) {
      brokers.add(
          DmpProcess.start(
              "kafka-" + node,
              JVM_OPTIONS,
              List.of(
                  "broker",
                  "--port",
                  clients.get(node - 1).substring("127.0.0.1:".length()),
                  "--node-id",
                  Integer.toString(node),
                  "--quorum",
                  quorum,
                  "--cluster-id",
                  clusterId,
                  "--data-dir",
                  scratch.resolve("kafka-" + node).toString()),
              Map.of(),
              log("kafka-" + node)));
    }
    for (DmpProcess broker : brokers) {
      broker.awaitLine(BROKER_READY, 0, START);
    }
    Topics topics =
        TopicsCommand.configured(
            Map.of(), List.of("--topics.replication-factor=3", "--topics.min-insync-replicas=2"));
    try (Admin admin = KafkaClients.of(bootstrap).admin(Map.of())) {
      topics.createMissing(admin);
    }
    TaxonomyPublisher.apply(
        KafkaClients.of(bootstrap),
        topics.taxonomy(),
        TaxonomyFile.parse(
            "chaos",
            PipelineLoad.TAXONOMY.formatted(
                PipelineLoad.DESTINATION.formatted(9001, 1, partner.url()))),
        "chaos",
        Clock.systemUTC());
    for (String service : List.of("qualifier", "partner-sync", "dcs-edge")) {
      ports.put(service, EmbeddedKafkaBroker.freePort());
    }
    Map<String, String> env = Map.of(OperatorToken.VARIABLE, Uuid.randomUuid().toString());
    startService(
        "qualifier",
        env,
        "--qualifier.state-dir=" + scratch.resolve("qualifier"),
        // Static membership: a restarted qualifier takes its partitions back at once.
        "--qualifier.instance-id=chaos-1");
    startService(
        "partner-sync",
        env,
        "--sync.instance-id=1",
        "--sync.retry.initial-delay=100ms",
        "--sync.retry.max-delay=1s");
    startService(
        "dcs-edge",
        env,
        "--answers.qualifier-url=http://127.0.0.1:" + ports.get("qualifier"),
        "--optout.journal-dir=" + scratch.resolve("optout-journal"));
    for (Map.Entry<String, DmpProcess> service : services.entrySet()) {
      service.getValue().awaitReady(ports.get(service.getKey()), START);
    }
    out.println(
        "chaos: composition ready after "
            + Duration.ofNanos(System.nanoTime() - began).toSeconds()
            + " s on Kafka "
            + bootstrap
            + "; logs in "
            + scratch.path());
    out.flush();
  }

  private void startService(String name, Map<String, String> env, String... settings)
      throws IOException {
    List<String> args = new ArrayList<>();
    args.add(name.equals("dcs-edge") ? "edge" : name);
    args.add("--kafka.bootstrap=" + bootstrap);
    args.add("--http.port=" + ports.get(name));
    args.addAll(List.of(settings));
    services.put(name, DmpProcess.start(name, JVM_OPTIONS, args, env, log(name)));
  }

  private java.nio.file.Path log(String name) {
    return scratch.resolve("logs").resolve(name + ".log");
  }

  /**
   * Calls the edge at the rate until told to stop, each call a new visitor who qualifies for the
   * partner's segment; notes each call the edge acknowledged. While the edge is down, calls fail.
   */
  private void load(double rate) {
    Duration slice = Duration.ofSeconds(2);
    long perSlice = Math.round(rate * slice.toSeconds());
    try (LoadGenerator generator =
        new LoadGenerator(vertx, ports.get("dcs-edge"), "/health/live", 16)) {
      while (loading) {
        long base = nextCall.getAndAdd(perSlice);
        try {
          MainThread.await(
              generator.openLoop(
                  rate,
                  slice,
                  call -> uri(base + call),
                  (call, ok, latency, body) -> {
                    sent.incrementAndGet();
                    if (ok) {
                      acknowledged.add(base + call);
                    }
                  }),
              slice.multipliedBy(10),
              "a slice of load");
        } catch (RuntimeException edgeDown) {
          // No connection could be opened: the edge is down, and this slice's calls all failed.
          Thread.sleep(100);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String uri(long call) {
    String visitor = visitor(call);
    return "/event?c_category=shoes&d_uuid=" + visitor + "&d_cid=20001%01p" + visitor;
  }

  private static String visitor(long call) {
    return VISITOR_PREFIX + String.format("%012d", call);
  }

  private static void awaitMore(LongSupplier count, long more, String what)
      throws InterruptedException {
    long target = count.getAsLong() + more;
    long deadline = System.nanoTime() + START.toNanos();
    while (count.getAsLong() < target) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "no " + more + " more " + what + " within " + START.toSeconds() + " s");
      }
      Thread.sleep(50);
    }
  }

  /** Until every acknowledged visitor has reached the partner, or none has for {@code drain}. */
  private void awaitDeliveries(Duration drain) throws InterruptedException {
    long lastCount = -1;
    long lastProgress = System.nanoTime();
    while (System.nanoTime() - lastProgress < drain.toNanos()) {
      long delivered =
          acknowledged.stream().filter(call -> receipts.containsKey(visitor(call))).count();
      if (delivered == acknowledged.size()) {
        return;
      }
      if (delivered != lastCount) {
        lastCount = delivered;
        lastProgress = System.nanoTime();
      }
      Thread.sleep(200);
    }
  }

  private Result count(Duration elapsed) {
    Set<String> inLog = new HashSet<>();
    Topics topics = TopicsCommand.configured(Map.of());
    try (KafkaConsumer<String, VisitEvent> consumer =
        TopicSnapshot.consumer(
            KafkaClients.of(bootstrap),
            new StringDeserializer(),
            topics.visits().values().deserializer())) {
      TopicSnapshot.read(
          consumer,
          topics.visits().name(),
          START,
          record -> {
            if (record.value() != null && record.value().getSource() == EventSource.EDGE) {
              inLog.add(record.value().getVisitorId());
            }
          });
    }
    long lost = 0;
    long undelivered = 0;
    for (long call : acknowledged) {
      lost += inLog.contains(visitor(call)) ? 0 : 1;
      undelivered += receipts.containsKey(visitor(call)) ? 0 : 1;
    }
    long duplicates = 0;
    long unexplained = 0;
    for (List<String> keys : receipts.values()) {
      duplicates += keys.size() - 1;
      unexplained += new HashSet<>(keys).size() - 1;
    }
    long delivered =
        acknowledged.stream().filter(call -> receipts.containsKey(visitor(call))).count();
    return new Result(
        sent.get(),
        acknowledged.size(),
        acknowledged.stream().filter(call -> inLog.contains(visitor(call))).count(),
        lost,
        delivered,
        undelivered,
        duplicates,
        unexplained,
        refused.get(),
        List.copyOf(faults),
        elapsed);
  }

  @Override
  public void close() throws Exception {
    List<DmpProcess> all = new ArrayList<>(services.values());
    all.addAll(brokers);
    // Nothing of how they stop is measured, and the scratch folder goes with them.
    for (DmpProcess process : all) {
      process.kill();
    }
    MainThread.await(vertx.close(), START, "closing the partner and the load");
    if (finished) {
      scratch.close();
    } else {
      // What went wrong is in the processes' logs.
      System.err.println(
          "chaos: the run did not finish; its logs are in " + scratch.resolve("logs"));
    }
  }
}
