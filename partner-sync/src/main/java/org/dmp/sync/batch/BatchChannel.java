package org.dmp.sync.batch;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.dmp.avro.BatchMode;
import org.dmp.avro.BatchTarget;
import org.dmp.avro.DeliveryChannel;
import org.dmp.avro.DeliveryOutcome;
import org.dmp.avro.Destination;
import org.dmp.avro.ProfileUpdate;
import org.dmp.sync.delivery.RetryPolicy;
import org.dmp.sync.destination.ChannelHost;
import org.dmp.sync.destination.DestinationChannel;
import org.dmp.sync.destination.DestinationConsumer;
import org.dmp.sync.destination.DestinationMapping;
import org.dmp.sync.destination.DestinationWorker;
import org.dmp.sync.destination.ReadingSettings;
import org.dmp.sync.record.DeliveryRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch channel: a windowed consumer that spools each window's mapped changes on disk and, when
 * a window has closed, publishes its outbound file into the outbox, exactly once.
 *
 * <p>Each change goes to the window of its event time (a late one, whose window is already
 * published, to the next to publish). The spool is fsynced before the consumer's offsets are
 * committed. A window is published once the wall clock is past its end plus the grace, and the
 * consumer holds every partition and has read all there is, so no change of the window is still
 * unread. One instance runs a batch destination: with its partitions split, it publishes nothing.
 */
public final class BatchChannel implements DestinationChannel {
  private static final Logger LOG = LoggerFactory.getLogger(BatchChannel.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);

  private final ChannelHost host;
  private final Destination destination;
  private final BatchSettings settings;
  private final RetryPolicy retry;
  private final WebClient client;
  private final BatchTarget target;
  private final Windows windows;
  private final Path outbox;
  private final BatchSpool spool;
  private final DeliveryRecord record;
  private final Clock clock;
  private final Set<String> uploading = ConcurrentHashMap.newKeySet();
  private final RecentFiles recentFiles;

  /** Control files waiting for their batch's data files to be uploaded; on the Vert.x context. */
  private final Set<String> infosWaiting = new LinkedHashSet<>();

  private volatile String waiting;
  private volatile String uploadFailure;

  private BatchChannel(
      ChannelHost host,
      BatchSettings settings,
      RetryPolicy retry,
      DeliveryRecord record,
      Windows windows,
      Clock clock) {
    this.host = host;
    this.destination = host.destination();
    this.settings = settings;
    this.retry = retry;
    this.client = WebClient.create(host.vertx());
    this.target = destination.getBatch();
    this.windows = windows;
    this.outbox = settings.outboxOf(target.getOutbox());
    this.recentFiles =
        new RecentFiles(outbox, target.getSyncType() + "_" + destination.getId() + "_");
    this.record = record;
    this.clock = clock;
    this.spool =
        BatchSpool.open(
            settings.spoolDir().resolve("destination-" + destination.getId()),
            windows.interval(),
            windows.endOf(clock.instant()));
    // Files published before a restart and not yet uploaded.
    spool.uploads().forEach(this::upload);
  }

  /** Writing a large window's file takes a while between polls. */
  private static Map<String, Object> longPolls() {
    return Map.of(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) TimeUnit.MINUTES.toMillis(30));
  }

  /**
   * Starts the destination's windowed consumer; blocks while its consumer is created and its spool
   * opened.
   *
   * @throws IllegalArgumentException when the destination cannot run as declared
   */
  public static DestinationWorker start(
      Destination destination,
      ReadingSettings reading,
      BatchSettings settings,
      RetryPolicy retry,
      Vertx vertx,
      DeliveryRecord record,
      MeterRegistry registry,
      Clock clock) {
    BatchTarget target = destination.getBatch();
    if (target == null) {
      throw new IllegalArgumentException(
          "a batch destination needs an interval, mode, outbox and syncType");
    }
    Duration interval;
    try {
      interval = Duration.parse(target.getInterval());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "interval " + target.getInterval() + " is not an ISO-8601 duration");
    }
    Windows windows = new Windows(interval);
    return DestinationConsumer.start(
        destination,
        reading,
        vertx,
        registry,
        longPolls(),
        host -> new BatchChannel(host, settings, retry, record, windows, clock));
  }

  @Override
  public Optional<String> failing() {
    return Optional.ofNullable(uploadFailure);
  }

  @Override
  public Optional<JsonArray> recentFiles() {
    return Optional.of(recentFiles.toJson(target.getUploadUrl() != null, uploading::contains));
  }

  @Override
  public Optional<String> waitingFor() {
    return Optional.ofNullable(waiting);
  }

  @Override
  public void release() {
    client.close();
  }

  // ---- the reading thread ----

  @Override
  public void assigned(Collection<TopicPartition> partitions) {
    // The spool, not the group, says how far each partition is in a window: the group's commit may
    // lag it.
    for (TopicPartition partition : partitions) {
      spool
          .offset(partition.partition())
          .ifPresent(offset -> host.consumer().seek(partition, offset));
    }
  }

  @Override
  public void round() {
    boolean read = false;
    for (ConsumerRecord<String, byte[]> consumed : host.consumer().poll(POLL)) {
      if (spool.offset(consumed.partition()).map(next -> consumed.offset() < next).orElse(false)) {
        continue;
      }
      ProfileUpdate update = host.updateOf(consumed);
      if (update != null) {
        spool(update);
      }
      spool.read(consumed.partition(), consumed.offset() + 1);
      read = true;
    }
    if (read) {
      spool.sync();
      commit();
    }
    publishDueWindows();
  }

  /**
   * An incremental file lists who changed; a full file lists every member, so an unchanged member
   * is spooled too.
   */
  private void spool(ProfileUpdate update) {
    DestinationMapping.Result result =
        target.getMode() == BatchMode.FULL
            ? host.mapping().mapIncludingUnchanged(update)
            : host.mapping().map(update);
    if (result
        .skipped()
        .filter(reason -> reason == DestinationMapping.Skip.NO_PARTNER_ID)
        .isPresent()) {
      host.meters().noPartnerId();
    }
    result
        .change()
        .ifPresent(change -> spool.append(windows.endOf(update.getTime()), change.user()));
  }

  private void commit() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    String topic = host.reading().topics().segments().name();
    spool
        .offsets()
        .forEach(
            (partition, next) ->
                offsets.put(new TopicPartition(topic, partition), new OffsetAndMetadata(next)));
    try {
      host.consumer().commitSync(offsets, COMMIT_TIMEOUT);
    } catch (KafkaException e) {
      // The spool holds the truth; the group's offsets only show progress and lag.
      LOG.warn("Destination {}: commit failed: {}", destination.getId(), e.toString());
    }
  }

  private void publishDueWindows() {
    while (!clock.instant().isBefore(spool.nextWindowEnd().plus(settings.grace()))) {
      Optional<String> notYet = notAllRead();
      waiting = notYet.orElse(null);
      if (notYet.isPresent()) {
        return;
      }
      publishNextWindow();
    }
  }

  /**
   * Why the next window cannot be published yet: a partition held elsewhere, or records not yet
   * read.
   */
  private Optional<String> notAllRead() {
    KafkaConsumer<String, byte[]> consumer = host.consumer();
    String topic = host.reading().topics().segments().name();
    int partitions = consumer.partitionsFor(topic).size();
    Set<TopicPartition> assigned = consumer.assignment();
    if (assigned.size() < partitions) {
      return Optional.of(
          "holds "
              + assigned.size()
              + " of "
              + partitions
              + " partitions of "
              + topic
              + "; another instance runs this destination");
    }
    Map<TopicPartition, Long> ends = consumer.endOffsets(assigned);
    for (TopicPartition partition : assigned) {
      if (consumer.position(partition) < ends.get(partition)) {
        return Optional.of(
            "reading up to the end of "
                + partition
                + " before closing the window ending "
                + spool.nextWindowEnd());
      }
    }
    return Optional.empty();
  }

  private void publishNextWindow() {
    Instant end = spool.nextWindowEnd();
    long started = System.nanoTime();
    BatchFileName name =
        new BatchFileName(
            target.getSyncType(),
            destination.getId(),
            destination.getDataSourceId(),
            target.getPidAlias(),
            target.getMode(),
            end,
            target.getGzip());
    WindowPublication.Result result =
        WindowPublication.publish(spool, name, outbox, target.getSplitLines(), settings.sortRun());
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    List<String> published = result.published().files();
    LOG.info(
        "Destination {}: published {} ({} lines, {} bytes) in {} ms",
        destination.getId(),
        published.get(0),
        result.published().lines(),
        result.published().bytes(),
        took.toMillis());
    try {
      record
          .attempt(
              new DeliveryRecord.Attempt(
                  destination.getId(),
                  DeliveryChannel.BATCH,
                  name.name(0),
                  List.of(),
                  1,
                  DeliveryOutcome.DELIVERED,
                  null,
                  took,
                  "published " + String.join(", ", published) + " into " + outbox))
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn(
          "Destination {}: could not record the publication of {}: {}",
          destination.getId(),
          published.get(0),
          e.toString());
    }
    recentFiles.published(name.infoName());
    host.meters().delivered((int) Math.min(Integer.MAX_VALUE, result.published().lines()), took);
    List<String> toUpload = target.getUploadUrl() == null ? List.of() : published;
    spool.published(result.members(), toUpload);
    toUpload.forEach(this::upload);
  }

  @Override
  public void beforeClose() {
    spool.close();
  }

  // ---- uploads, on the Vert.x context ----

  private void upload(String file) {
    if (uploading.add(file)) {
      host.context().runOnContext(go -> attemptUpload(file, 1));
    }
  }

  /**
   * Whether any data file of the batch that {@code info} controls is still to be uploaded: a
   * partner waiting for the {@code .info} must find every file there.
   */
  private boolean partsPending(String info) {
    String root = info.substring(0, info.length() - ".info".length());
    return uploading.stream().anyMatch(file -> !file.equals(info) && file.startsWith(root));
  }

  private void attemptUpload(String file, int attempt) {
    if (host.stopping()) {
      return;
    }
    if (file.endsWith(".info") && partsPending(file)) {
      infosWaiting.add(file);
      return;
    }
    Vertx vertx = host.vertx();
    Path path = outbox.resolve(file);
    String url = target.getUploadUrl().replaceAll("/+$", "") + "/" + file;
    // Its size from Vert.x's file system, which asks off the event loop.
    vertx
        .fileSystem()
        .props(path.toString())
        .compose(
            props ->
                vertx
                    .fileSystem()
                    .open(path.toString(), new OpenOptions().setRead(true))
                    .compose(
                        opened ->
                            client
                                .putAbs(url)
                                .putHeader(
                                    "Content-Type",
                                    file.endsWith(".info")
                                        ? "application/json"
                                        : "application/octet-stream")
                                .putHeader("Content-Length", Long.toString(props.size()))
                                .timeout(settings.uploadTimeout().toMillis())
                                .sendStream(opened)
                                .eventually(opened::close)))
        .onComplete(
            result -> {
              if (result.succeeded() && result.result().statusCode() / 100 == 2) {
                uploadFailure = null;
                uploading.remove(file);
                List<String> ready = infosWaiting.stream().filter(i -> !partsPending(i)).toList();
                ready.forEach(
                    info -> {
                      infosWaiting.remove(info);
                      attemptUpload(info, 1);
                    });
                host.onReadingThread(() -> spool.uploaded(file));
                return;
              }
              String failure =
                  result.succeeded()
                      ? "HTTP " + result.result().statusCode()
                      : String.valueOf(result.cause());
              uploadFailure =
                  "uploading "
                      + file
                      + " failed (attempt "
                      + attempt
                      + "): "
                      + failure
                      + "; the file stays in "
                      + outbox;
              host.meters().retried();
              // A file is never given up: it waits in the outbox, retried at the longest delay once
              // the budget is spent.
              Duration wait =
                  retry
                      .next(attempt, Optional.empty(), Duration.ZERO, ThreadLocalRandom.current())
                      .orElse(retry.maxDelay());
              vertx.setTimer(
                  Math.max(1, wait.toMillis()), timer -> attemptUpload(file, attempt + 1));
            });
  }
}
