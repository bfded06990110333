package org.dmp.cli.replay;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.dmp.avro.Destination;
import org.dmp.avro.Profile;
import org.dmp.avro.ReplayCorrection;
import org.dmp.avro.ReplayDifference;
import org.dmp.avro.ReplayRun;
import org.dmp.avro.ReplayState;
import org.dmp.avro.SegmentDifference;
import org.dmp.cli.KafkaConnection;
import org.dmp.cli.TopicsCommand;
import org.dmp.config.ConfigException;
import org.dmp.config.ConfigReader;
import org.dmp.qualifier.QualifierConfig;
import org.dmp.qualifier.profile.TraitTimes;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.runtime.replay.ReplayRuns;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.TaxonomyException;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.taxonomy.TaxonomyView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code dmp replay}: recomputes membership from the event log in the shadow and shows how it
 * differs from the live membership.
 */
@Command(
    name = "replay",
    description = {
      "Replays dmp.visits in the shadow (its own Kafka Streams application and state; the live",
      "pipeline keeps running) through the live qualifier's code, with the taxonomy in force or",
      "another, and compares the result with the live membership: per segment who would join,",
      "leave and stay, sample visitors, and every difference on dmp.replay.<run>.",
      "Reading starts at --from less the warm-up (the longest TTL of the traits the segments",
      "count), so that profiles stand at --from as the log says; visitors with an event, or a",
      "change by time, at or after --from are compared."
    },
    subcommands = {ReplayCommand.ListRuns.class, ReplayCommand.Cancel.class, BackfillCommand.class})
public final class ReplayCommand implements Callable<Integer> {
  private static final DateTimeFormatter RUN_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  /** How a run's record names a taxonomy read from a file, before the file's path. */
  private static final String FILE_SOURCE = "file ";

  @Spec private CommandSpec spec;

  @Mixin private KafkaConnection connection;

  @Option(
      names = "--from",
      paramLabel = "TIME",
      description = "Event time to replay from (ISO-8601, or a date: its start in UTC).")
  private String from;

  @Option(
      names = "--to",
      paramLabel = "TIME",
      description = "Event time to replay to (default: the end of the log as the run starts).")
  private String to;

  @Option(
      names = "--taxonomy",
      paramLabel = "FILE",
      description = "Replay with this taxonomy file (default: the taxonomy in force).")
  private Path taxonomyFile;

  @Option(
      names = "--revision",
      paramLabel = "N",
      description = "Replay with this revision of dmp.taxonomy (default: the one in force).")
  private Long revision;

  @Option(
      names = "--segments",
      split = ",",
      paramLabel = "ID",
      description = "Compare only these segments (default: all of the run's taxonomy).")
  private List<Long> segments;

  @Option(
      names = "--visitors",
      paramLabel = "FILE",
      description = "Replay only the visitor ids in this file, one per line.")
  private Path visitorsFile;

  @Option(
      names = "--warm-up",
      paramLabel = "DURATION",
      description =
          "How long before --from reading starts (default: the longest TTL of the traits the"
              + " segments count; from the log's beginning when one counts forever).")
  private String warmUp;

  @Option(
      names = "--resume",
      paramLabel = "RUN",
      description =
          "Go on with a run that stopped before it was done (killed, say): same state folder,"
              + " same settings.")
  private String resume;

  @Option(
      names = "--dry-run",
      description = "Compute and show the differences; change no live state, send nothing.")
  private boolean dryRun;

  @Option(
      names = "--apply",
      paramLabel = "RUN",
      description =
          "Apply a finished run's differences to the live profiles, by way of the live qualifier:"
              + " partners receive the changes, each once however often the run is applied.")
  private String apply;

  @Mixin private ApplyOptions applyOptions;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      defaultValue = "data/replay",
      description =
          "Where runs keep their local state, one folder each (default: ${DEFAULT-VALUE}).")
  private Path stateDir;

  @Option(
      names = "--samples",
      paramLabel = "N",
      defaultValue = "5",
      description = "How many differing visitors to show (default: ${DEFAULT-VALUE}).")
  private int samples;

  @Override
  public Integer call() throws Exception {
    KafkaClients clients = connection.clients();
    Topics topics;
    try {
      topics = connection.topics();
    } catch (ConfigException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (apply != null) {
      if (dryRun || resume != null) {
        throw new ParameterException(
            spec.commandLine(), "--apply takes a finished run: not with --dry-run or --resume");
      }
      try {
        return applyRun(clients, topics);
      } catch (IllegalArgumentException | TaxonomyException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }
    if (resume != null) {
      ReplayRun run = ReplayRuns.all(clients, topics).get(resume);
      try {
        return execute(clients, topics, resumed(clients, topics, run), resume, run);
      } catch (IllegalArgumentException | TaxonomyException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }
    if (!dryRun) {
      throw new ParameterException(
          spec.commandLine(), "say --dry-run: a run computes and shows the differences");
    }
    if (from == null) {
      throw new ParameterException(spec.commandLine(), "--from is required");
    }
    if (taxonomyFile != null && revision != null) {
      throw new ParameterException(
          spec.commandLine(), "--taxonomy and --revision name the run's taxonomy twice: give one");
    }
    ReplayRequest request;
    try {
      request = request(clients, topics);
    } catch (IllegalArgumentException | TaxonomyException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    TopicsCommand.createMissing(topics, clients);
    return execute(clients, topics, request, newId(Clock.systemUTC().instant()), null);
  }

  /** A run's (or a backfill's) id: when it started, to the second, and a random suffix. */
  static String newId(Instant now) {
    return RUN_TIME.format(now)
        + "-"
        + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
  }

  /**
   * @param resumed the run to go on with; null for a new one
   */
  private int execute(
      KafkaClients clients, Topics topics, ReplayRequest request, String runId, ReplayRun resumed)
      throws Exception {
    QualifierConfig qualifier;
    try {
      qualifier = qualifierConfig(clients, runId);
    } catch (ConfigException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    boolean terminal = System.console() != null;
    ShadowRun shadow =
        new ShadowRun(
            clients,
            topics,
            qualifier,
            request,
            runId,
            Clock.systemUTC(),
            new Progress(out, terminal),
            samples);
    ShadowRun.Outcome outcome;
    try {
      outcome = resumed == null ? shadow.run() : shadow.resume(resumed);
    } catch (IllegalArgumentException refused) {
      throw new ParameterException(spec.commandLine(), refused.getMessage());
    }
    report(out, terminal, topics, outcome);
    if (outcome.run().getState() == ReplayState.CANCELLED) {
      spec.commandLine().getErr().println("Run " + runId + " was cancelled");
      return 1;
    }
    return 0;
  }

  /** The live qualifier's settings, with the run's own application id and state folder. */
  private QualifierConfig qualifierConfig(KafkaClients clients, String runId) {
    return qualifierConfig(
        connection,
        clients,
        "--qualifier.application-id=dmp-replay-" + runId,
        "--qualifier.state-dir=" + stateDir.resolve(runId));
  }

  /** The live qualifier's settings, as the environment and --set give them, then overrides. */
  static QualifierConfig qualifierConfig(
      KafkaConnection connection, KafkaClients clients, String... overrides) {
    return QualifierConfig.SETTINGS.read(
        System.getenv(),
        Stream.of(
                connection.flags().stream(),
                Stream.of("--kafka.bootstrap=" + clients.bootstrap(), "--http.port=0"),
                Stream.of(overrides))
            .flatMap(flags -> flags)
            .toList(),
        QualifierConfig::read);
  }

  /** A stopped run's request, as recorded; refused when it is done, cancelled or unknown. */
  private static ReplayRequest resumed(KafkaClients clients, Topics topics, ReplayRun run)
      throws Exception {
    if (run == null) {
      throw new IllegalArgumentException("--resume: no such run (dmp replay list names them)");
    }
    if (run.getState() != ReplayState.RUNNING) {
      throw new IllegalArgumentException(
          "--resume "
              + run.getRun()
              + ": the run is "
              + run.getState().name().toLowerCase(Locale.ROOT)
              + ", not stopped midway");
    }
    String source = run.getTaxonomy().toString();
    CompiledTaxonomy taxonomy;
    if (source.startsWith(FILE_SOURCE)) {
      taxonomy =
          new CompiledTaxonomy(TaxonomyFile.read(Path.of(source.substring(FILE_SOURCE.length()))));
    } else {
      taxonomy = taxonomyInForce(clients, topics, run.getTaxonomyRevision());
    }
    Instant readFrom = run.getReadFrom();
    return new ReplayRequest(
        run.getFrom(),
        Optional.ofNullable(run.getTo()),
        taxonomy,
        source,
        new TreeSet<>(run.getSegments()),
        Optional.ofNullable(run.getVisitors())
            .map(
                visitors ->
                    visitors.stream().map(CharSequence::toString).collect(Collectors.toSet())),
        readFrom.equals(Instant.EPOCH)
            ? Optional.empty()
            : Optional.of(Duration.between(readFrom, run.getFrom())));
  }

  /**
   * The taxonomy in force, which must be {@code revision} when one is named.
   *
   * @param revision null for whichever is in force
   */
  static CompiledTaxonomy taxonomyInForce(KafkaClients clients, Topics topics, Long revision)
      throws Exception {
    try (TaxonomyView view =
        TaxonomyView.follow("dmp-replay-taxonomy", clients, topics.taxonomy())) {
      view.caughtUp().get(60, TimeUnit.SECONDS);
      if (revision != null && revision != view.revision()) {
        throw new IllegalArgumentException(
            "--revision "
                + revision
                + ": "
                + topics.taxonomy().name()
                + " holds revision "
                + view.revision()
                + " only (it keeps the latest); give an older taxonomy as --taxonomy FILE");
      }
      return view.get();
    }
  }

  private ReplayRequest request(KafkaClients clients, Topics topics) throws Exception {
    Instant start = ReplayRequest.time("--from", from);
    Optional<Instant> end = Optional.ofNullable(to).map(value -> ReplayRequest.time("--to", value));
    ReplayRequest.checkRange(start, end, Clock.systemUTC().instant());
    CompiledTaxonomy taxonomy;
    String source;
    if (taxonomyFile != null) {
      taxonomy = new CompiledTaxonomy(TaxonomyFile.read(taxonomyFile));
      source = FILE_SOURCE + taxonomyFile.toAbsolutePath();
    } else {
      taxonomy = taxonomyInForce(clients, topics, revision);
      source = "revision " + taxonomy.revision();
    }
    Set<Long> compared = ReplayRequest.segments(segments, taxonomy);
    if (!applyOptions.destinations().isEmpty()) {
      compared.retainAll(mappedSegments(taxonomy, applyOptions.destinations()));
      if (compared.isEmpty()) {
        throw new IllegalArgumentException(
            "--destinations "
                + applyOptions.destinations()
                + " map none of the segments to compare");
      }
    }
    Optional<Set<String>> visitors = Optional.empty();
    if (visitorsFile != null) {
      try {
        visitors =
            Optional.of(
                ReplayRequest.visitors(visitorsFile.toString(), Files.readAllLines(visitorsFile)));
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "--visitors " + visitorsFile + " cannot be read: " + e.getMessage(), e);
      }
    }
    Optional<Duration> warm;
    if (warmUp == null) {
      warm = ReplayRequest.longestWindow(compared, taxonomy);
    } else {
      Duration parsed = ConfigReader.parseDuration(warmUp);
      if (parsed == null || parsed.isNegative()) {
        throw new IllegalArgumentException(
            "--warm-up '" + warmUp + "' is not a duration such as 30d, 12h or PT36H");
      }
      warm = Optional.of(parsed);
    }
    return new ReplayRequest(start, end, taxonomy, source, compared, visitors, warm);
  }

  /**
   * Writes a finished run's differences as corrections for the live qualifier, and waits until it
   * has applied them. Refused unless the taxonomy in force is the run's: the qualifier judges with
   * the one in force, so another would not give what the run showed.
   */
  private int applyRun(KafkaClients clients, Topics topics) throws Exception {
    ReplayRun run = ReplayRuns.all(clients, topics).get(apply);
    if (run == null) {
      throw new IllegalArgumentException(
          "--apply " + apply + ": no such run (dmp replay list names them)");
    }
    if (run.getState() != ReplayState.DONE) {
      throw new IllegalArgumentException(
          "--apply "
              + apply
              + ": the run is "
              + run.getState().name().toLowerCase(Locale.ROOT)
              + "; only a finished run can be applied");
    }
    if (run.getTraits().isEmpty() && !run.getSegments().isEmpty()) {
      throw new IllegalArgumentException(
          "--apply "
              + apply
              + ": the run was made by an earlier version, which did not record its traits:"
              + " replay again");
    }
    CompiledTaxonomy inForce = taxonomyInForce(clients, topics, null);
    checkSameTaxonomy(run, inForce);
    List<Long> only = applyOptions.destinations();
    checkDestinations(inForce, only);
    QualifierConfig live = qualifierConfig(connection, clients);
    Duration wait = applyOptions.waitLimit();
    // The replay knows every realization of its traits up to its end, except those of an event in
    // flight as its end ticks were written: the qualifier's grace covers those, as it does any late
    // event.
    Instant endTick = run.getCreatedAt().minus(live.grace());
    Instant windowEnd = run.getTo() == null || run.getTo().isAfter(endTick) ? endTick : run.getTo();
    String name = "replay-" + run.getRun();
    Map<String, ReplayDifference> differences = ReplayRuns.differences(clients, topics, run);
    PrintWriter out = spec.commandLine().getOut();
    boolean terminal = System.console() != null;
    long written;
    boolean applied;
    List<Long> traitRanges = Corrections.ranges(run.getTraits());
    try (Corrections corrections = new Corrections(clients, topics, name)) {
      for (ReplayDifference difference : differences.values()) {
        corrections.write(
            difference.getVisitorId().toString(),
            difference.getEvaluatedAt(),
            ReplayCorrection.newBuilder()
                .setRun(name)
                .setFrom(run.getReadFrom())
                .setTo(windowEnd)
                .setTraitRanges(traitRanges)
                .setRealizations(difference.getRealizations())
                .setDestinations(only)
                .setBackfill(false)
                .build());
      }
      written = corrections.flush();
      ReplayRuns.write(
          clients,
          topics,
          ReplayRun.newBuilder(run)
              .setAppliedAt(Clock.systemUTC().instant())
              .setCorrections(written)
              .build());
      applied =
          wait.isZero()
              || corrections.awaitApplied(
                  live.applicationId(), wait, new Progress(out, terminal), Clock.systemUTC());
    }
    return applied(out, terminal, name, written, wait, applied);
  }

  /** Says how an apply or a backfill ended; 1 when the qualifier had not applied it all in time. */
  static int applied(
      PrintWriter out,
      boolean terminal,
      String name,
      long written,
      Duration wait,
      boolean applied) {
    String state = wait.isZero() ? "WRITTEN" : applied ? "APPLIED" : "NOT_YET_APPLIED";
    if (terminal) {
      out.printf(
          "%s: %,d corrections %s%n",
          name,
          written,
          switch (state) {
            case "WRITTEN" -> "written; the live qualifier applies them as it reads them";
            case "APPLIED" -> "applied by the live qualifier";
            default -> "written, not all applied within " + wait + ": is the qualifier running?";
          });
    } else {
      out.println(
          new JsonObject()
              .put("run", name)
              .put("state", state)
              .put("corrections", written)
              .encode());
    }
    out.flush();
    return applied ? 0 : 1;
  }

  private static void checkSameTaxonomy(ReplayRun run, CompiledTaxonomy inForce) throws Exception {
    String source = run.getTaxonomy().toString();
    if (source.startsWith(FILE_SOURCE)) {
      Path file = Path.of(source.substring(FILE_SOURCE.length()));
      if (!TaxonomyFile.read(file).entries().equals(inForce.source().entries())) {
        throw new IllegalArgumentException(
            "--apply "
                + run.getRun()
                + ": the run used "
                + file
                + ", which is not the taxonomy in force (revision "
                + inForce.revision()
                + "), and the live qualifier judges with the one in force: publish the file first"
                + " (dmp taxonomy apply), or replay again with the taxonomy in force");
      }
    } else if (run.getTaxonomyRevision() != inForce.revision()) {
      throw new IllegalArgumentException(
          "--apply "
              + run.getRun()
              + ": the run used taxonomy revision "
              + run.getTaxonomyRevision()
              + " and revision "
              + inForce.revision()
              + " is in force, which the live qualifier judges with: replay again with it");
    }
  }

  /** Refuses destinations the taxonomy does not have, naming them. */
  static void checkDestinations(CompiledTaxonomy taxonomy, List<Long> named) {
    Set<Long> known =
        taxonomy.source().destinations().stream()
            .map(Destination::getId)
            .collect(Collectors.toSet());
    List<Long> unknown = named.stream().filter(id -> !known.contains(id)).toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "--destinations: the taxonomy has no destination " + unknown);
    }
  }

  /** The segments the destinations map. */
  static Set<Long> mappedSegments(CompiledTaxonomy taxonomy, List<Long> destinationIds) {
    checkDestinations(taxonomy, destinationIds);
    Set<Long> mapped = new TreeSet<>();
    taxonomy.source().destinations().stream()
        .filter(destination -> destinationIds.contains(destination.getId()))
        .forEach(
            destination ->
                destination
                    .getMappings()
                    .keySet()
                    .forEach(id -> mapped.add(Long.parseLong(id.toString()))));
    return mapped;
  }

  private static void report(
      PrintWriter out, boolean terminal, Topics topics, ShadowRun.Outcome outcome) {
    ReplayRun run = outcome.run();
    String differences = ReplayRuns.differencesTopic(topics, run.getRun().toString());
    if (!terminal) {
      JsonArray summary = new JsonArray();
      run.getSummary()
          .forEach(
              segment ->
                  summary.add(
                      new JsonObject()
                          .put("segment", segment.getSegment())
                          .put("joins", segment.getJoins())
                          .put("leaves", segment.getLeaves())
                          .put("stays", segment.getStays())));
      JsonArray samples = new JsonArray();
      outcome
          .samples()
          .forEach(
              change ->
                  samples.add(
                      new JsonObject()
                          .put("visitor", change.visitorId())
                          .put("joined", new JsonArray(change.joined()))
                          .put("left", new JsonArray(change.left()))
                          .put(
                              "realizations",
                              realizations(outcome.profiles().get(change.visitorId())))));
      out.println(
          new JsonObject()
              .put("run", run.getRun().toString())
              .put("state", run.getState().name())
              .put("eventsRead", run.getEventsRead())
              .put("recordsSkipped", run.getRecordsSkipped())
              .put("visitorsCompared", run.getVisitorsCompared())
              .put("differences", differences)
              .put("summary", summary)
              .put("samples", samples)
              .encode());
      out.flush();
      return;
    }
    out.printf(
        "Run %s: %,d records read (%,d undecodable, skipped), %,d visitors compared; differences on"
            + " %s%n",
        run.getRun(),
        run.getEventsRead(),
        run.getRecordsSkipped(),
        run.getVisitorsCompared(),
        differences);
    out.printf("%10s %10s %10s %10s%n", "segment", "join", "leave", "stay");
    for (SegmentDifference segment : run.getSummary()) {
      out.printf(
          "%10d %,10d %,10d %,10d%n",
          segment.getSegment(), segment.getJoins(), segment.getLeaves(), segment.getStays());
    }
    for (MembershipDiff.Change change : outcome.samples()) {
      out.printf(
          "visitor %s: joins %s, leaves %s; realizations %s%n",
          change.visitorId(),
          change.joined(),
          change.left(),
          realizations(outcome.profiles().get(change.visitorId())).encode());
    }
    out.flush();
  }

  /** Trait id to the times it was realized at: the events that made the difference. */
  private static JsonObject realizations(Profile profile) {
    JsonObject realizations = new JsonObject();
    if (profile != null) {
      TraitTimes.of(profile)
          .asMap()
          .forEach(
              (trait, times) ->
                  realizations.put(
                      trait,
                      new JsonArray(
                          times.stream()
                              .map(time -> Instant.ofEpochMilli(time).toString())
                              .toList())));
    }
    return realizations;
  }

  @Command(name = "list", description = "Lists the replay runs, one JSON object per line.")
  static final class ListRuns implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Mixin private KafkaConnection connection;

    @Override
    public Integer call() throws Exception {
      KafkaClients clients = connection.clients();
      Topics topics = connection.topics();
      TopicsCommand.createMissing(topics, clients);
      PrintWriter out = spec.commandLine().getOut();
      for (Map.Entry<String, ReplayRun> entry : ReplayRuns.all(clients, topics).entrySet()) {
        ReplayRun run = entry.getValue();
        long joins = run.getSummary().stream().mapToLong(SegmentDifference::getJoins).sum();
        long leaves = run.getSummary().stream().mapToLong(SegmentDifference::getLeaves).sum();
        out.println(
            new JsonObject()
                .put("run", entry.getKey())
                .put("state", run.getState().name())
                .put("createdAt", run.getCreatedAt().toString())
                .put("from", run.getFrom().toString())
                .put("to", run.getTo() == null ? null : run.getTo().toString())
                .put("taxonomy", run.getTaxonomy().toString())
                .put("eventsRead", run.getEventsRead())
                .put("recordsSkipped", run.getRecordsSkipped())
                .put("visitorsCompared", run.getVisitorsCompared())
                .put("joins", joins)
                .put("leaves", leaves)
                .encode());
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "cancel",
      description = "Cancels a run: its process stops within seconds, and it cannot be resumed.")
  static final class Cancel implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Mixin private KafkaConnection connection;

    @picocli.CommandLine.Parameters(index = "0", paramLabel = "RUN", description = "The run.")
    private String runId;

    @Override
    public Integer call() throws Exception {
      KafkaClients clients = connection.clients();
      Topics topics = connection.topics();
      ReplayRun run = ReplayRuns.all(clients, topics).get(runId);
      if (run == null) {
        throw new ParameterException(
            spec.commandLine(), "no run " + runId + " (dmp replay list names them)");
      }
      if (run.getState() != ReplayState.RUNNING) {
        throw new ParameterException(
            spec.commandLine(),
            "run "
                + runId
                + " is "
                + run.getState().name().toLowerCase(Locale.ROOT)
                + ": nothing to cancel");
      }
      Instant now = Clock.systemUTC().instant();
      ReplayRuns.write(
          clients,
          topics,
          ReplayRun.newBuilder(run)
              .setState(ReplayState.CANCELLED)
              .setUpdatedAt(now)
              .setDetail("cancelled by dmp replay cancel at " + now)
              .build());
      spec.commandLine().getOut().println("Cancelled run " + runId);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
