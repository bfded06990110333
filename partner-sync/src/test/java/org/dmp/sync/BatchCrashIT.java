package org.dmp.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.dmp.avro.ProfileUpdate;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaBrokerExtension.class)
class BatchCrashIT {
  private static final long WINDOW_MS = 2000;
  private static final int WAVES = 16;
  private static final int PER_WAVE = 25;

  private Process sync;
  private final ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stopAll() throws InterruptedException {
    pace.shutdownNow();
    if (sync != null && sync.isAlive()) {
      sync.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void afterAKillEachWindowIsPublishedOnceWithWhatAnUninterruptedRunWouldWrite(
      EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
    SyncFixture fixture =
        SyncFixture.create(
            broker.bootstrapServers(),
            "--sync.batch.spool-dir=" + dir.resolve("spool"),
            "--sync.batch.outbox-root=" + dir,
            "--sync.batch.grace=1s");
    Path outbox = dir.resolve("outbox");
    fixture.applyDestinations(BatchIT.batchDestination(outbox, "iter", ""));
    sync = fixture.startProcess();
    // Changes from before the destination ran would go into its first window, not their own: start
    // once it has published.
    await().atMost(Duration.ofSeconds(60)).until(() -> !BatchIT.published(outbox).isEmpty());

    // Waves of changes spread over several windows: each visitor joins 5001, and every third moves
    // to 5002 a few waves later.
    List<ProfileUpdate> sent = new CopyOnWriteArrayList<>();
    AtomicInteger wave = new AtomicInteger();
    pace.scheduleAtFixedRate(
        () -> {
          int number = wave.getAndIncrement();
          if (number >= WAVES) {
            return;
          }
          List<ProfileUpdate> updates = new ArrayList<>();
          for (int i = 0; i < PER_WAVE; i++) {
            int visitor = number * PER_WAVE + i;
            updates.add(SyncFixture.joined("v" + visitor, 1, 5001));
            if (number >= 3 && i % 3 == 0) {
              String earlier = "v" + ((number - 3) * PER_WAVE + i);
              updates.add(
                  SyncFixture.update(
                      earlier, 2, List.of(5002L), List.of(5001L), Optional.of("p-" + earlier)));
            }
          }
          fixture.publish(updates);
          sent.addAll(updates);
        },
        0,
        400,
        TimeUnit.MILLISECONDS);

    long firstFile = BatchIT.published(outbox).firstKey();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                wave.get() >= WAVES / 3
                    && BatchIT.published(outbox).tailMap(firstFile, false).values().stream()
                        .anyMatch(lines -> !lines.isEmpty()));
    sync.destroyForcibly();
    assertThat(sync.waitFor(30, TimeUnit.SECONDS)).isTrue();
    sync = fixture.startProcess();
    await().atMost(Duration.ofSeconds(60)).until(() -> wave.get() > WAVES);

    Map<Long, List<String>> expected = expectedFiles(sent);
    long lastWindow = expected.keySet().stream().max(Long::compare).orElseThrow();
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> BatchIT.published(outbox).containsKey(lastWindow));
    sync.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

    NavigableMap<Long, List<String>> published = BatchIT.published(outbox);
    for (Map.Entry<Long, List<String>> file : published.headMap(lastWindow, true).entrySet()) {
      assertThat(file.getValue())
          .as("the file of the window ending " + file.getKey())
          .containsExactlyInAnyOrderElementsOf(expected.getOrDefault(file.getKey(), List.of()));
    }
    assertThat(published.keySet()).containsAll(expected.keySet());
    List<Long> windowEnds = new ArrayList<>(published.keySet());
    assertThat(windowEnds)
        .as("one file per window, none skipped")
        .containsExactlyElementsOf(
            Stream.iterate(windowEnds.get(0), end -> end + WINDOW_MS)
                .limit(windowEnds.size())
                .toList());
    try (Stream<Path> names = Files.list(outbox)) {
      Set<String> left =
          names
              .map(path -> path.getFileName().toString())
              .filter(name -> !name.endsWith(".sync") && !name.endsWith(".info"))
              .collect(Collectors.toSet());
      assertThat(left).containsOnly(".partial");
    }
  }

  /** What an uninterrupted run writes: per window of event time, each partner id's net change. */
  private static Map<Long, List<String>> expectedFiles(List<ProfileUpdate> updates) {
    Map<Long, Map<String, List<List<String>>>> windows = new TreeMap<>();
    for (ProfileUpdate update : updates) {
      long window = (update.getTime().toEpochMilli() / WINDOW_MS + 1) * WINDOW_MS;
      List<String> before =
          new ArrayList<>(update.getRemoved().stream().map(segment -> "s" + segment).toList());
      List<String> after = update.getSegments().stream().map(segment -> "s" + segment).toList();
      Map<String, List<List<String>>> users = windows.computeIfAbsent(window, w -> new HashMap<>());
      users.merge(
          "p-" + update.getVisitorId(),
          List.of(before, after),
          (first, later) -> List.of(first.get(0), later.get(1)));
    }
    Map<Long, List<String>> files = new TreeMap<>();
    windows.forEach(
        (window, users) -> {
          List<String> lines = new ArrayList<>();
          users.forEach(
              (user, change) -> {
                List<String> added =
                    change.get(1).stream()
                        .filter(value -> !change.get(0).contains(value))
                        .sorted()
                        .toList();
                List<String> removed =
                    change.get(0).stream()
                        .filter(value -> !change.get(1).contains(value))
                        .sorted()
                        .toList();
                if (!added.isEmpty() || !removed.isEmpty()) {
                  lines.add(user + " " + String.join(",", added) + " " + String.join(",", removed));
                }
              });
          files.put(window, lines);
        });
    return files;
  }
}
