package org.dmp.sync.batch;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A batch destination's latest published batches, for its status: each batch's control file ({@code
 * .info}) with its files, lines and bytes. Known from the outbox at start, then from each
 * publication; written on the reading thread, read from any.
 */
final class RecentFiles {
  static final int KEPT = 10;

  private final Path outbox;
  private volatile List<JsonObject> latest = List.of();

  /**
   * @param prefix the start of the destination's file names, {@code <syncType>_<destinationId>_}
   */
  RecentFiles(Path outbox, String prefix) {
    this.outbox = outbox;
    List<JsonObject> found = new ArrayList<>();
    if (Files.isDirectory(outbox)) {
      try (Stream<Path> files = Files.list(outbox)) {
        files
            .map(path -> path.getFileName().toString())
            .filter(name -> name.startsWith(prefix) && name.endsWith(".info"))
            // The 13-digit window end makes name order time order.
            .sorted(Comparator.reverseOrder())
            .limit(KEPT)
            .forEach(info -> found.add(0, describe(info)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list the outbox " + outbox, e);
      }
    }
    latest = List.copyOf(found);
  }

  /** A batch was published: its control file is in the outbox. */
  void published(String infoName) {
    List<JsonObject> next = new ArrayList<>(latest);
    next.add(describe(infoName));
    latest = List.copyOf(next.subList(Math.max(0, next.size() - KEPT), next.size()));
  }

  /**
   * Newest first, each with {@code upload}: {@code "none"} (nothing to upload to), {@code
   * "pending"} or {@code "done"}.
   */
  JsonArray toJson(boolean uploads, Predicate<String> uploading) {
    JsonArray answer = new JsonArray();
    for (int i = latest.size() - 1; i >= 0; i--) {
      JsonObject batch = latest.get(i).copy();
      String state = "none";
      if (uploads) {
        boolean pending =
            batch.getJsonArray("files").stream().map(String::valueOf).anyMatch(uploading)
                || uploading.test(batch.getString("name"));
        state = pending ? "pending" : "done";
      }
      answer.add(batch.put("upload", state));
    }
    return answer;
  }

  private JsonObject describe(String infoName) {
    Path path = outbox.resolve(infoName);
    JsonObject info;
    Instant published;
    try {
      info = new JsonObject(Files.readString(path, StandardCharsets.UTF_8));
      published = Files.getLastModifiedTime(path).toInstant();
    } catch (IOException | DecodeException e) {
      return new JsonObject()
          .put("name", infoName)
          .put("files", new JsonArray())
          .put("error", "cannot read " + path + ": " + e.getMessage());
    }
    JsonObject totals = info.getJsonObject("Totals", new JsonObject());
    JsonArray files = new JsonArray();
    info.getJsonArray("Files", new JsonArray()).stream()
        .map(JsonObject.class::cast)
        .forEach(file -> files.add(file.getString("FileName")));
    return new JsonObject()
        .put("name", infoName)
        .put("publishedAt", published.toString())
        .put("lines", totals.getLong("TotalNumberLines", 0L))
        .put("bytes", totals.getLong("TotalByteSize", 0L))
        .put("files", files)
        .put("info", info);
  }
}
