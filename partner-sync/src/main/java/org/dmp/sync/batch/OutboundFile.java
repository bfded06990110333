package org.dmp.sync.batch;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * One window's outbound file, written line by line into a hidden folder of the outbox ({@code
 * .partial}, on the same file system so the rename is atomic), split into parts at {@code
 * splitLines} when asked, then published: each part fsynced and renamed into the outbox, then the
 * batch's {@code .info} control file written the same way after them all. A reader that waits for
 * the {@code .info} never sees a partial file; one that lists {@code *.sync} never sees one either.
 */
public final class OutboundFile implements Closeable {
  static final String PARTIAL = ".partial";

  private final Path outbox;
  private final Path partial;
  private final BatchFileName name;
  private final int splitLines;
  private final List<Part> parts = new ArrayList<>();
  private OutputStream content;
  private ByteSink sink;
  private DigestOutputStream digest;
  private long partLines;

  /** A part as written: where it waits, its size, lines and md5. */
  record Part(Path written, long bytes, long lines, String md5) {}

  /** What was published: the names in the outbox, in order, the parts then the control file. */
  public record Published(List<String> files, long lines, long bytes) {}

  OutboundFile(Path outbox, BatchFileName name, int splitLines) {
    this.outbox = outbox;
    this.partial = outbox.resolve(PARTIAL);
    this.name = name;
    this.splitLines = splitLines;
    try {
      Files.createDirectories(partial);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + partial, e);
    }
    openPart();
  }

  /** A line as given, without its line feed. */
  void line(String line) {
    startLine();
    sink.writeUtf8(line);
    endLine();
  }

  /** A line of {@link SyncLine}'s format. */
  void line(String partnerUserId, Collection<String> segments, Collection<String> removed) {
    startLine();
    SyncLine.write(sink, partnerUserId, segments, removed);
    endLine();
  }

  private void startLine() {
    if (splitLines > 0 && partLines == splitLines) {
      try {
        closePart();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      openPart();
    }
  }

  private void endLine() {
    sink.write('\n');
    partLines++;
  }

  private void openPart() {
    try {
      Path file = partial.resolve(name.name(0) + ".part" + (parts.size() + 1));
      OutputStream out =
          Files.newOutputStream(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE);
      digest = new DigestOutputStream(out, MessageDigest.getInstance("MD5"));
      OutputStream written = name.gzip() ? new GZIPOutputStream(digest, 1 << 16) : digest;
      content = written;
      sink = new ByteSink((bytes, length) -> written.write(bytes, 0, length));
      partLines = 0;
      parts.add(null);
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot start a part of " + name.name(0), e);
    }
  }

  private void closePart() throws IOException {
    sink.flush();
    content.close();
    Path file = partial.resolve(name.name(0) + ".part" + parts.size());
    force(file);
    parts.set(
        parts.size() - 1,
        new Part(
            file,
            Files.size(file),
            partLines,
            HexFormat.of().formatHex(digest.getMessageDigest().digest())));
  }

  /**
   * Publishes every part into the outbox, then the batch's one control file, in Audience Manager's
   * transfer-control format: {@code Files} (each part's {@code FileByteSize}, {@code
   * FileLineCount}, {@code FileName}, {@code FileSequenceNumber} and {@code md5}) and {@code
   * Totals}. A batch whose control file is already there was published before (by a run that
   * stopped before recording it), and is left as it is.
   */
  Published publish() {
    try {
      closePart();
      long lines = parts.stream().mapToLong(Part::lines).sum();
      long bytes = parts.stream().mapToLong(Part::bytes).sum();
      boolean publishedBefore = Files.exists(outbox.resolve(name.infoName()));
      List<String> published = new ArrayList<>();
      JsonArray files = new JsonArray();
      for (int i = 0; i < parts.size(); i++) {
        int number = parts.size() == 1 ? 0 : i + 1;
        Part part = parts.get(i);
        String fileName = name.name(number);
        if (publishedBefore) {
          Files.deleteIfExists(part.written());
        } else {
          Files.move(
              part.written(),
              outbox.resolve(fileName),
              StandardCopyOption.ATOMIC_MOVE,
              StandardCopyOption.REPLACE_EXISTING);
        }
        published.add(fileName);
        files.add(
            new JsonObject()
                .put("FileByteSize", part.bytes())
                .put("FileLineCount", part.lines())
                .put("FileName", fileName)
                .put("FileSequenceNumber", i + 1)
                .put("md5", part.md5()));
      }
      if (!publishedBefore) {
        force(outbox);
        JsonObject info =
            new JsonObject()
                .put("Files", files)
                .put(
                    "Totals",
                    new JsonObject()
                        .put("FileName", name.name(0))
                        .put("TotalByteSize", bytes)
                        .put("TotalNumberFiles", parts.size())
                        .put("TotalNumberLines", lines));
        writeAtomically(outbox.resolve(name.infoName()), info.encodePrettily(), partial);
      }
      published.add(name.infoName());
      return new Published(published, lines, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot publish " + name.name(0) + " into " + outbox, e);
    }
  }

  /**
   * Writes {@code text} in {@code tempDir} (same file system), fsyncs it, renames it to {@code
   * file} and fsyncs the folder.
   */
  static void writeAtomically(Path file, String text, Path tempDir) {
    try {
      Path hidden = tempDir.resolve("." + file.getFileName() + ".tmp");
      Files.writeString(hidden, text, StandardCharsets.UTF_8);
      force(hidden);
      Files.move(hidden, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      force(file.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** fsync of a file or a folder (a folder's fsync makes the renames in it durable). */
  static void force(Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /** Drops what was written and not published. */
  @Override
  public void close() {
    try {
      content.close();
      for (int i = 1; i <= parts.size(); i++) {
        Files.deleteIfExists(partial.resolve(name.name(0) + ".part" + i));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
