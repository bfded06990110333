package org.dmp.sync.batch;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * One line of an outbound file: {@code <partner user id> <segment,segment,...>
 * <removed,removed,...>}, single spaces, either list may be empty.
 */
public final class SyncLine {
  private SyncLine() {}

  public static String format(
      String partnerUserId, Collection<String> segments, Collection<String> removed) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ByteSink sink = new ByteSink((buffer, length) -> bytes.write(buffer, 0, length), 256);
    write(sink, partnerUserId, segments, removed);
    sink.flush();
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** The line, without its line feed, as UTF-8. */
  static void write(
      ByteSink sink,
      String partnerUserId,
      Collection<String> segments,
      Collection<String> removed) {
    sink.writeUtf8(partnerUserId);
    sink.write(' ');
    joined(sink, segments);
    sink.write(' ');
    joined(sink, removed);
  }

  private static void joined(ByteSink sink, Collection<String> values) {
    boolean first = true;
    for (String value : values) {
      if (!first) {
        sink.write(',');
      }
      sink.writeUtf8(value);
      first = false;
    }
  }
}
