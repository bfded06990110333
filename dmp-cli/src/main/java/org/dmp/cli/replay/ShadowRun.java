package org.dmp.cli.replay;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.dmp.avro.Profile;
import org.dmp.avro.ReplayDifference;
import org.dmp.avro.ReplayRun;
import org.dmp.avro.ReplayState;
import org.dmp.avro.SegmentDifference;
import org.dmp.avro.VisitEvent;
import org.dmp.cli.Folders;
import org.dmp.qualifier.QualifierConfig;
import org.dmp.qualifier.profile.QualifierTopology;
import org.dmp.qualifier.profile.ReplayBounds;
import org.dmp.qualifier.profile.ReplayProgress;
import org.dmp.qualifier.profile.SkipUndecodable;
import org.dmp.qualifier.profile.TraitTimes;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.runtime.replay.ReplayRuns;
import org.dmp.schemas.Ticks;
import org.dmp.schemas.serde.AvroSerde;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;

/**
 * One replay run, computed in the shadow: its own Kafka Streams application (the qualifier's
 * topology without the writes that belong to the live qualifier) reads the visits topic from the
 * offsets of the run's start time to the end tick the run writes to each partition as it begins, so
 * it knows exactly where the log ended for it. Then its profiles are compared with the live
 * membership (the latest update per visitor on the compacted segments topic), the differences go to
 * the run's own topic, and the summary to the runs topic.
 */
final class ShadowRun {
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration CANCEL_CHECK_EVERY = Duration.ofSeconds(2);

  private final KafkaClients kafka;
  private final Topics topics;
  private final QualifierConfig qualifier;
  private final ReplayRequest request;
  private final String runId;
  private final Clock clock;
  private final Progress progress;
  private final int samples;

  /**
   * @param qualifier the qualifier's settings, with the run's application id and state folder
   */
  ShadowRun(
      KafkaClients kafka,
      Topics topics,
      QualifierConfig qualifier,
      ReplayRequest request,
      String runId,
      Clock clock,
      Progress progress,
      int samples) {
    this.kafka = kafka;
    this.topics = topics;
    this.qualifier = qualifier;
    this.request = request;
    this.runId = runId;
    this.clock = clock;
    this.progress = progress;
    this.samples = samples;
  }

  /** What a run found. */
  record Outcome(
      ReplayRun run, List<MembershipDiff.Change> samples, Map<String, Profile> profiles) {}

  Outcome run() throws Exception {
    Instant createdAt = clock.instant();
    String visits = topics.name(TopicRole.VISITS);
    int partitions = topics.spec(TopicRole.VISITS).partitions();
    try (Admin admin = kafka.admin(Map.of())) {
      checkRetention(admin, visits, partitions);
      createRunTopics(admin, partitions);
      Map<Integer, Long> lastOffsets = writeEndTicks(visits, partitions, createdAt);
      Map<Integer, Long> startOffsets = startOffsets(admin, visits, lastOffsets);
      admin
          .alterConsumerGroupOffsets(qualifier.applicationId(), seeds(visits, startOffsets))
          .all()
          .get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      ReplayRun run = record(createdAt, startOffsets, lastOffsets);
      ReplayRuns.write(kafka, topics, run);
      return compute(run);
    }
  }

  /**
   * Goes on with a run that stopped before it was done (killed, say): its group's committed offsets
   * and its local state (else its changelogs) hold how far it got, exactly once, and its end ticks
   * are written already.
   */
  Outcome resume(ReplayRun run) throws Exception {
    return compute(run);
  }

  private Outcome compute(ReplayRun run) throws Exception {
    Map<Integer, Long> startOffsets = byPartition(run.getStartOffsets());
    Map<Integer, Long> lastOffsets = byPartition(run.getLastOffsets());
    ReplayProgress seen = new ReplayProgress();
    // A resumed run that had read everything before it stopped reads nothing more of its bounds.
    String visits = topics.name(TopicRole.VISITS);
    try (Admin admin = kafka.admin(Map.of())) {
      admin
          .listConsumerGroupOffsets(qualifier.applicationId())
          .partitionsToOffsetAndMetadata()
          .get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
          .forEach(
              (partition, committed) -> {
                if (committed != null && partition.topic().equals(visits)) {
                  seen.committed(partition.partition(), committed.offset());
                }
              });
    }
    ReplayBounds bounds = new ReplayBounds(lastOffsets, request.to(), request.visitors());
    try (KafkaStreams streams =
        new KafkaStreams(
            QualifierTopology.shadow(
                topics,
                request::taxonomy,
                qualifier.profileBounds(),
                qualifier.grace(),
                bounds,
                seen,
                ReplayRuns.differencesTopic(topics, runId) + ".updates",
                QualifierTopology.Storage.ON_DISK,
                // Each partition's task holds its own profiles.
                ((long) qualifier.replayCacheMegabytes() << 20)
                    / topics.spec(TopicRole.VISITS).partitions()),
            shadowProperties())) {
      streams.start();
      long eventsRead = awaitEnd(streams, seen, startOffsets, lastOffsets);
      if (eventsRead < 0) {
        ReplayRun cancelled = cancelled();
        throwAway(streams, seen);
        return new Outcome(
            ReplayRun.newBuilder(cancelled).setUpdatedAt(clock.instant()).build(),
            List.of(),
            Map.of());
      }
      Outcome outcome = compare(streams, run, eventsRead, seen.skipped(lastOffsets));
      ReplayRuns.write(kafka, topics, outcome.run());
      throwAway(streams, seen);
      return outcome;
    }
  }

  /**
   * Closes a finished run's shadow and deletes its state, local and in Kafka (its changelogs and
   * its group): nothing reads it again, a finished run cannot be resumed, and the changelogs hold a
   * copy of every profile. What the shadow holds unwritten is dropped rather than written first.
   * Its differences, its updates and its record stay.
   */
  private void throwAway(KafkaStreams streams, ReplayProgress seen) throws Exception {
    seen.over();
    streams.close(KAFKA_TIMEOUT);
    // The run's own folder (see ReplayCommand): Kafka Streams' clean-up leaves some of it.
    Folders.delete(qualifier.stateDir());
    String prefix = qualifier.applicationId() + "-";
    try (Admin admin = kafka.admin(Map.of())) {
      List<String> internal =
          admin.listTopics().names().get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS).stream()
              .filter(topic -> topic.startsWith(prefix) && topic.endsWith("-changelog"))
              .toList();
      admin.deleteTopics(internal).all().get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      // A closed Kafka Streams does not leave its group (whose member would stay until its
      // session times out), and a group with a member cannot be deleted: no members named are all.
      admin
          .removeMembersFromConsumerGroup(
              qualifier.applicationId(), new RemoveMembersFromConsumerGroupOptions())
          .all()
          .get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      admin
          .deleteConsumerGroups(List.of(qualifier.applicationId()))
          .all()
          .get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  private ReplayRun cancelled() {
    return ReplayRuns.all(kafka, topics).get(runId);
  }

  private static Map<Integer, Long> byPartition(Map<? extends CharSequence, Long> offsets) {
    Map<Integer, Long> byPartition = new TreeMap<>();
    offsets.forEach(
        (partition, offset) -> byPartition.put(Integer.parseInt(partition.toString()), offset));
    return byPartition;
  }

  /**
   * Refuses a run that needs events the log no longer holds: profiles at {@code --from} would lack
   * the realizations of the warm-up.
   */
  private void checkRetention(Admin admin, String visits, int partitions) throws Exception {
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    for (int partition = 0; partition < partitions; partition++) {
      earliest.put(new TopicPartition(visits, partition), OffsetSpec.earliest());
    }
    Map<TopicPartition, Long> truncated = new HashMap<>();
    admin
        .listOffsets(earliest)
        .all()
        .get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
        .forEach(
            (partition, info) -> {
              if (info.offset() > 0) {
                truncated.put(partition, info.offset());
              }
            });
    if (truncated.isEmpty()) {
      return;
    }
    Instant earliestHeld = Instant.EPOCH;
    try (KafkaConsumer<String, VisitEvent> consumer = visitsReader()) {
      for (var entry : truncated.entrySet()) {
        consumer.assign(List.of(entry.getKey()));
        consumer.seek(entry.getKey(), entry.getValue());
        Instant first = firstTime(consumer);
        earliestHeld = first.isAfter(earliestHeld) ? first : earliestHeld;
      }
    }
    if (request.readFrom().isBefore(earliestHeld)) {
      throw new IllegalArgumentException(
          "--from "
              + request.from()
              + request
                  .warmUp()
                  .map(warmUp -> " less the warm-up of " + warmUp.toDays() + " days")
                  .orElse(" with a trait that counts forever")
              + " needs the visits from "
              + request.readFrom()
              + " on, but "
              + visits
              + " holds them from "
              + earliestHeld
              + " only (its retention is "
              + topics.spec(TopicRole.VISITS).retention().map(Duration::toDays).orElse(-1L)
              + " days): choose a later --from, or a shorter --warm-up, accepting that"
              + " realizations before it are not counted");
    }
  }

  private static Instant firstTime(KafkaConsumer<String, VisitEvent> consumer) {
    long deadline = System.nanoTime() + KAFKA_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, VisitEvent> record : consumer.poll(Duration.ofMillis(200))) {
        return record.value() == null
            ? Instant.ofEpochMilli(record.timestamp())
            : record.value().getTime();
      }
    }
    return Instant.EPOCH;
  }

  /**
   * The differences topic is compacted: a resumed run writes each visitor's difference again, and
   * the latest stands. The shadow's updates are a log, kept as long as the visits.
   */
  private void createRunTopics(Admin admin, int partitions) throws Exception {
    String differences = ReplayRuns.differencesTopic(topics, runId);
    Map<String, Map<String, String>> configs =
        Map.of(
            differences,
            Map.of("cleanup.policy", "compact"),
            differences + ".updates",
            Map.of(
                "retention.ms",
                Long.toString(
                    topics
                        .spec(TopicRole.VISITS)
                        .retention()
                        .orElse(Duration.ofDays(30))
                        .toMillis())));
    for (Map.Entry<String, Map<String, String>> topic : configs.entrySet()) {
      try {
        admin
            .createTopics(
                List.of(
                    new NewTopic(topic.getKey(), partitions, (short) -1).configs(topic.getValue())))
            .all()
            .get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    }
  }

  /**
   * A tick on every partition, at the run's start: where each partition's log ends for the run, and
   * time brought up to the start, as the live qualifier's ticks bring it.
   */
  private Map<Integer, Long> writeEndTicks(String visits, int partitions, Instant at)
      throws Exception {
    Map<Integer, Long> last = new TreeMap<>();
    try (KafkaProducer<String, VisitEvent> producer =
        kafka.producer(
            Map.of(ProducerConfig.ACKS_CONFIG, "all"),
            new StringSerializer(),
            AvroSerde.of(VisitEvent.class).serializer())) {
      for (int partition = 0; partition < partitions; partition++) {
        last.put(
            partition,
            producer
                .send(
                    new ProducerRecord<>(visits, partition, at.toEpochMilli(), null, Ticks.at(at)))
                .get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                .offset());
      }
    }
    return last;
  }

  /**
   * Per partition, the first offset whose record is stamped at or after the start of reading; the
   * end tick where none is.
   */
  private Map<Integer, Long> startOffsets(Admin admin, String visits, Map<Integer, Long> last)
      throws Exception {
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    last.keySet()
        .forEach(
            partition ->
                specs.put(
                    new TopicPartition(visits, partition),
                    OffsetSpec.forTimestamp(request.readFrom().toEpochMilli())));
    Map<Integer, Long> start = new TreeMap<>();
    admin
        .listOffsets(specs, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
        .all()
        .get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
        .forEach(
            (partition, info) ->
                start.put(
                    partition.partition(),
                    info.offset() < 0 ? last.get(partition.partition()) : info.offset()));
    return start;
  }

  private static Map<TopicPartition, OffsetAndMetadata> seeds(
      String visits, Map<Integer, Long> start) {
    Map<TopicPartition, OffsetAndMetadata> seeds = new HashMap<>();
    start.forEach(
        (partition, offset) ->
            seeds.put(new TopicPartition(visits, partition), new OffsetAndMetadata(offset)));
    return seeds;
  }

  private ReplayRun record(
      Instant createdAt, Map<Integer, Long> startOffsets, Map<Integer, Long> lastOffsets) {
    return ReplayRun.newBuilder()
        .setRun(runId)
        .setState(ReplayState.RUNNING)
        .setCreatedAt(createdAt)
        .setUpdatedAt(createdAt)
        .setFrom(request.from())
        .setTo(request.to().orElse(null))
        .setReadFrom(request.readFrom())
        .setTaxonomy(request.taxonomySource())
        .setTaxonomyRevision(request.taxonomy().revision())
        .setSegments(List.copyOf(new java.util.TreeSet<>(request.segments())))
        .setTraits(request.traits())
        .setVisitors(request.visitors().map(List::copyOf).orElse(null))
        .setStartOffsets(byText(startOffsets))
        .setLastOffsets(byText(lastOffsets))
        .build();
  }

  private static Map<String, Long> byText(Map<Integer, Long> offsets) {
    Map<String, Long> text = new TreeMap<>();
    offsets.forEach((partition, offset) -> text.put(Integer.toString(partition), offset));
    return text;
  }

  /**
   * Waits until every partition has been read through its end tick; the events read, or -1 when the
   * run was cancelled meanwhile.
   */
  private long awaitEnd(
      KafkaStreams streams, ReplayProgress seen, Map<Integer, Long> start, Map<Integer, Long> last)
      throws InterruptedException {
    long total = 0;
    for (int partition : last.keySet()) {
      total += last.get(partition) - start.get(partition) + 1;
    }
    long began = System.nanoTime();
    long lookedForCancel = began;
    while (true) {
      KafkaStreams.State state = streams.state();
      if (state == KafkaStreams.State.ERROR
          || state == KafkaStreams.State.PENDING_ERROR
          || state == KafkaStreams.State.NOT_RUNNING) {
        throw new IllegalStateException(
            "the replay's streams stopped (" + state + "); see the log above");
      }
      long read = 0;
      boolean done = true;
      for (int partition : last.keySet()) {
        long offset = Math.min(seen.offset(partition), last.get(partition));
        read += Math.max(0, offset - start.get(partition) + 1);
        done &= seen.reached(partition, last.get(partition));
      }
      progress.reading(runId, read, total, Duration.ofNanos(System.nanoTime() - began));
      if (done) {
        return read;
      }
      if (System.nanoTime() - lookedForCancel > CANCEL_CHECK_EVERY.toNanos()) {
        lookedForCancel = System.nanoTime();
        ReplayRun recorded = ReplayRuns.all(kafka, topics).get(runId);
        if (recorded != null && recorded.getState() == ReplayState.CANCELLED) {
          return -1;
        }
      }
      Thread.sleep(Math.min(PROGRESS_EVERY.toMillis(), 200));
    }
  }

  /**
   * The qualifier's Kafka Streams settings for a replay, but a record that cannot be decoded is
   * skipped and counted rather than stopping the run: the live qualifier got past it already.
   */
  private Properties shadowProperties() {
    Properties properties = qualifier.replayStreamsProperties();
    properties.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, SkipUndecodable.class);
    return properties;
  }

  private Outcome compare(KafkaStreams streams, ReplayRun run, long eventsRead, long skipped)
      throws Exception {
    // Two passes over the store, so that only ids are held, never every profile at once.
    Set<String> compared = new HashSet<>();
    ReadOnlyKeyValueStore<String, Profile> store = profiles(streams);
    long from = request.from().toEpochMilli();
    try (var all = store.all()) {
      all.forEachRemaining(
          entry -> {
            if (isCompared(entry.value, from)) {
              compared.add(entry.key);
            }
          });
    }
    Map<String, MembershipDiff.Side> live = liveMembership(compared);
    compared.clear();
    Map<String, Profile> sampledProfiles = new HashMap<>();
    MembershipDiff diff = new MembershipDiff(request.segments());
    long[] traits = request.traits().stream().mapToLong(Long::longValue).sorted().toArray();
    List<MembershipDiff.Change> sampled = new ArrayList<>();
    String differences = ReplayRuns.differencesTopic(topics, runId);
    java.util.concurrent.atomic.AtomicReference<Exception> notWritten =
        new java.util.concurrent.atomic.AtomicReference<>();
    try (KafkaProducer<String, ReplayDifference> producer =
            kafka.producer(
                Map.of(ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(),
                AvroSerde.of(ReplayDifference.class).serializer());
        var all = store.all()) {
      while (all.hasNext()) {
        var entry = all.next();
        Profile profile = entry.value;
        if (!isCompared(profile, from)) {
          continue;
        }
        var change =
            diff.compare(
                entry.key,
                new MembershipDiff.Side(
                    Set.copyOf(profile.getSegments()), false, profile.getVersion()),
                live.getOrDefault(entry.key, MembershipDiff.Side.NONE));
        if (change.isEmpty()) {
          continue;
        }
        if (sampled.size() < samples) {
          sampled.add(change.get());
          sampledProfiles.put(entry.key, profile);
        }
        producer.send(
            new ProducerRecord<>(
                differences,
                entry.key,
                ReplayDifference.newBuilder()
                    .setRun(runId)
                    .setVisitorId(entry.key)
                    .setJoined(change.get().joined())
                    .setLeft(change.get().left())
                    .setSegments(change.get().segments())
                    .setLiveVersion(
                        live.getOrDefault(entry.key, MembershipDiff.Side.NONE).version())
                    .setEvaluatedAt(Instant.ofEpochMilli(profile.getEvaluatedAt()))
                    .setRealizations(realizationsOf(profile, traits))
                    .build()),
            (metadata, failure) -> {
              if (failure != null) {
                notWritten.compareAndSet(null, failure);
              }
            });
      }
      producer.flush();
    }
    if (notWritten.get() != null) {
      // The run stays RUNNING: resuming it compares and writes again.
      throw new IllegalStateException(
          "could not write the differences to " + differences, notWritten.get());
    }
    List<SegmentDifference> summary = diff.summary();
    ReplayRun done =
        ReplayRun.newBuilder(run)
            .setState(ReplayState.DONE)
            .setUpdatedAt(clock.instant())
            .setEventsRead(eventsRead)
            .setRecordsSkipped(skipped)
            .setVisitorsCompared(diff.visitorsCompared())
            .setSummary(summary)
            .build();
    return new Outcome(done, sampled, sampledProfiles);
  }

  /** Whether a replayed profile is compared: evaluated at or after --from, and not opted out. */
  private static boolean isCompared(Profile profile, long from) {
    return !profile.getOptedOut() && profile.getEvaluatedAt() >= from;
  }

  /**
   * The profile's realizations of {@code traits} (ascending): what applying the run gives the live
   * profile.
   */
  private static Map<String, List<Long>> realizationsOf(Profile profile, long[] traits) {
    return new TreeMap<>(
        TraitTimes.of(profile).asMap(trait -> Arrays.binarySearch(traits, trait) >= 0));
  }

  private static ReadOnlyKeyValueStore<String, Profile> profiles(KafkaStreams streams)
      throws InterruptedException {
    long deadline = System.nanoTime() + KAFKA_TIMEOUT.toNanos();
    while (true) {
      try {
        return streams.store(
            StoreQueryParameters.fromNameAndType(
                QualifierTopology.PROFILES, QueryableStoreTypes.<String, Profile>keyValueStore()));
      } catch (InvalidStateStoreException rebalancing) {
        if (System.nanoTime() > deadline) {
          throw rebalancing;
        }
        Thread.sleep(100);
      }
    }
  }

  /** The live membership of {@code visitors}. */
  private Map<String, MembershipDiff.Side> liveMembership(Set<String> visitors) {
    Map<String, MembershipDiff.Side> live = new HashMap<>();
    LiveSegments.latest(kafka, topics, (visitor, update) -> visitors.contains(visitor))
        .forEach(
            (visitor, update) ->
                live.put(
                    visitor,
                    new MembershipDiff.Side(
                        Set.copyOf(update.getSegments()),
                        update.getOptedOut(),
                        update.getVersion())));
    return live;
  }

  private KafkaConsumer<String, VisitEvent> visitsReader() {
    return kafka.consumer(
        Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
        topics.visits().keys().deserializer(),
        topics.visits().values().deserializer());
  }
}
