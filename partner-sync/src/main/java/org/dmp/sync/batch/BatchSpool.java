package org.dmp.sync.batch;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.dmp.sync.destination.UserChange;

/**
 * A batch destination's durable state on disk: the open windows' changes (one append-only file
 * each), how far each partition has been read into them, the next window to publish, the
 * publication sequence, the full-mode member table and the uploads still to do.
 *
 * <p>{@code state.json} is the point of truth: it is replaced atomically after the spool files are
 * fsynced, and names each spool file's valid length. After a crash, bytes past that length are cut
 * off and reading resumes from the recorded offsets, so each change is in its window exactly once
 * whatever the consumer group had committed.
 */
public final class BatchSpool implements Closeable {
  private static final String STATE = "state.json";

  private final Path dir;
  private final Duration interval;
  private long nextWindowEnd;
  private long sequence;
  private String members;
  private final Map<Integer, Long> offsets = new HashMap<>();
  private final Map<Long, Long> spoolLengths = new TreeMap<>();
  private final Set<String> uploads = new LinkedHashSet<>();
  private final Map<Long, ChangeFile.Writer> writers = new HashMap<>();

  private BatchSpool(Path dir, Duration interval) {
    this.dir = dir;
    this.interval = interval;
  }

  /**
   * Opens the spool in {@code dir}, or starts one whose first window ends at {@code
   * firstWindowEnd}.
   */
  public static BatchSpool open(Path dir, Duration interval, Instant firstWindowEnd) {
    BatchSpool spool = new BatchSpool(dir, interval);
    try {
      Files.createDirectories(dir);
      Path state = dir.resolve(STATE);
      if (Files.exists(state)) {
        spool.read(new JsonObject(Files.readString(state, StandardCharsets.UTF_8)));
      } else {
        spool.nextWindowEnd = firstWindowEnd.toEpochMilli();
        spool.persist();
      }
      spool.removeLeftovers();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the batch spool in " + dir, e);
    }
    return spool;
  }

  private void read(JsonObject state) {
    nextWindowEnd = state.getLong("nextWindowEnd");
    sequence = state.getLong("sequence");
    members = state.getString("members");
    state
        .getJsonObject("offsets")
        .forEach(
            entry ->
                offsets.put(
                    Integer.parseInt(entry.getKey()), ((Number) entry.getValue()).longValue()));
    state
        .getJsonObject("spools")
        .forEach(
            entry ->
                spoolLengths.put(
                    Long.parseLong(entry.getKey()), ((Number) entry.getValue()).longValue()));
    state.getJsonArray("uploads").forEach(name -> uploads.add((String) name));
  }

  /** Spool and member files the state does not name are what a crash left half-made. */
  private void removeLeftovers() throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        boolean spoolLeftover =
            name.startsWith("window-") && !spoolLengths.containsKey(windowOfSpool(name));
        boolean membersLeftover = name.startsWith("members-") && !name.equals(members);
        if (spoolLeftover || membersLeftover || name.startsWith("run-")) {
          Files.delete(file);
        }
      }
    }
  }

  private static long windowOfSpool(String name) {
    return Long.parseLong(name.substring("window-".length(), name.length() - ".spool".length()));
  }

  public Instant nextWindowEnd() {
    return Instant.ofEpochMilli(nextWindowEnd);
  }

  long sequence() {
    return sequence;
  }

  /** The next offset to read of {@code partition}, if the spool has read any of it. */
  Optional<Long> offset(int partition) {
    return Optional.ofNullable(offsets.get(partition));
  }

  Map<Integer, Long> offsets() {
    return Map.copyOf(offsets);
  }

  /**
   * Where the window ending at {@code windowEnd} gathers; it may not exist when the window had no
   * change.
   */
  Path spoolFile(Instant windowEnd) {
    return dir.resolve("window-" + windowEnd.toEpochMilli() + ".spool");
  }

  /** The full-mode member table as of the last publication, if any. */
  Optional<Path> members() {
    return Optional.ofNullable(members).map(dir::resolve);
  }

  Path membersFile(Instant windowEnd) {
    return dir.resolve("members-" + windowEnd.toEpochMilli() + ".bin");
  }

  Path dir() {
    return dir;
  }

  /**
   * Adds a change to a window: the next one to publish or a later one. Durable at the next {@link
   * #sync()}.
   */
  public void append(Instant windowEnd, UserChange change) {
    long end = Math.max(windowEnd.toEpochMilli(), nextWindowEnd);
    writers
        .computeIfAbsent(
            end,
            open ->
                new ChangeFile.Writer(
                    spoolFile(Instant.ofEpochMilli(open)), spoolLengths.getOrDefault(open, 0L)))
        .write(change);
  }

  /**
   * Records that {@code partition} has been read up to {@code next}; durable at the next {@link
   * #sync()}.
   */
  void read(int partition, long next) {
    offsets.put(partition, next);
  }

  /** Makes what was appended and read durable: spool files first, then the state naming them. */
  public void sync() {
    writers.forEach((end, writer) -> spoolLengths.put(end, writer.sync()));
    persist();
  }

  /**
   * The next window is published: its spool goes, the window after it is next, and the new member
   * table and the files to upload are recorded, all in one state change.
   */
  public void published(Optional<Path> newMembers, List<String> toUpload) {
    ChangeFile.Writer writer = writers.remove(nextWindowEnd);
    if (writer != null) {
      writer.close();
    }
    Path spool = spoolFile(nextWindowEnd());
    Optional<Path> oldMembers = members();
    spoolLengths.remove(nextWindowEnd);
    nextWindowEnd += interval.toMillis();
    sequence++;
    newMembers.ifPresent(file -> members = file.getFileName().toString());
    uploads.addAll(toUpload);
    persist();
    try {
      Files.deleteIfExists(spool);
      if (newMembers.isPresent() && oldMembers.isPresent() && !oldMembers.equals(newMembers)) {
        Files.deleteIfExists(oldMembers.get());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  List<String> uploads() {
    return new ArrayList<>(uploads);
  }

  void uploaded(String file) {
    if (uploads.remove(file)) {
      persist();
    }
  }

  private void persist() {
    JsonObject state =
        new JsonObject()
            .put("nextWindowEnd", nextWindowEnd)
            .put("sequence", sequence)
            .put("members", members)
            .put(
                "offsets",
                new JsonObject(
                    new HashMap<>(
                        offsets.entrySet().stream()
                            .collect(
                                java.util.stream.Collectors.toMap(
                                    entry -> entry.getKey().toString(), Map.Entry::getValue)))))
            .put(
                "spools",
                new JsonObject(
                    new HashMap<>(
                        spoolLengths.entrySet().stream()
                            .collect(
                                java.util.stream.Collectors.toMap(
                                    entry -> entry.getKey().toString(), Map.Entry::getValue)))))
            .put("uploads", new JsonArray(new ArrayList<>(uploads)));
    OutboundFile.writeAtomically(dir.resolve(STATE), state.encodePrettily(), dir);
  }

  @Override
  public void close() {
    writers.values().forEach(ChangeFile.Writer::close);
    writers.clear();
  }
}
