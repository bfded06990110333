package org.dmp.sync.batch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.dmp.sync.destination.UserChange;

/**
 * Change records back to back in one growing array, read as they are from a file {@link ChangeFile}
 * wrote (the id, then the values before, then after, each text a two-byte length and UTF-8), and
 * where each starts. A window's run is sorted as these bytes rather than as objects: a run of
 * objects is millions of them alive at once, and copying them from one young generation to the next
 * took the garbage collector longer than the sort itself.
 */
final class RecordArena {
  /** Bytes read from a file at once: its records are copied as they are, then found. */
  private final int read;

  private byte[] bytes;

  /** Bytes read: the records found, then what may be the start of the next. */
  private int size;

  /** Where the last record found ends. */
  private int found;

  private int[] starts = new int[1 << 12];
  private int count;

  RecordArena(int read) {
    this.read = read;
    this.bytes = new byte[Math.max(read, 1 << 16)];
  }

  int count() {
    return count;
  }

  /** Whether bytes were read past the records found. */
  boolean readPastRecords() {
    return size > found;
  }

  /** Bytes the records found take. */
  int recordBytes() {
    return found;
  }

  /**
   * Reads more of the channel after what was read; false at its end.
   *
   * @throws IOException as the channel does
   */
  boolean read(ReadableByteChannel channel) throws IOException {
    if (bytes.length - size < read) {
      long grown = Math.max(2L * bytes.length, (long) size + read);
      bytes = Arrays.copyOf(bytes, (int) Math.min(grown, Integer.MAX_VALUE - 8));
    }
    int got = channel.read(ByteBuffer.wrap(bytes, size, read));
    if (got < 0) {
      return false;
    }
    size += got;
    return true;
  }

  /**
   * Finds the whole records read and not yet found, up to {@code most} records in all; a record
   * whose end is not read yet waits for more.
   */
  void find(int most) {
    while (count < most) {
      int end = recordEnd(found);
      if (end < 0) {
        return;
      }
      if (count == starts.length) {
        starts = Arrays.copyOf(starts, count * 2);
      }
      starts[count++] = found;
      found = end;
    }
  }

  /** Forgets the records found, keeping what was read after them for the next ones. */
  void clear() {
    System.arraycopy(bytes, found, bytes, 0, size - found);
    size -= found;
    found = 0;
    count = 0;
  }

  /** Where the record at {@code at} ends, or -1 if it is not read to its end. */
  private int recordEnd(int at) {
    if (at + 2 > size) {
      return -1;
    }
    int end = at + 2 + unsignedShort(at);
    for (int list = 0; list < 2; list++) {
      if (end + 2 > size) {
        return -1;
      }
      int values = unsignedShort(end);
      end += 2;
      for (int i = 0; i < values; i++) {
        if (end + 2 > size) {
          return -1;
        }
        end += 2 + unsignedShort(end);
      }
    }
    return end <= size ? end : -1;
  }

  byte[] bytes() {
    return bytes;
  }

  int start(int record) {
    return starts[record];
  }

  int end(int record) {
    return record + 1 < count ? starts[record + 1] : found;
  }

  /** Where the record's id ends and its values before begin. */
  int beforeAt(int record) {
    return starts[record] + 2 + unsignedShort(starts[record]);
  }

  /** Where the record's values after begin. */
  int afterAt(int record) {
    int at = beforeAt(record);
    int values = unsignedShort(at);
    at += 2;
    for (int i = 0; i < values; i++) {
      at += 2 + unsignedShort(at);
    }
    return at;
  }

  /**
   * The first eight bytes of the record's id, high first, zeros past its end: a smaller prefix is a
   * smaller id in UTF-8 byte order, and equal prefixes say nothing.
   */
  long prefix(int record) {
    int from = starts[record] + 2;
    int length = unsignedShort(starts[record]);
    long prefix = 0;
    for (int i = 0; i < 8; i++) {
      prefix = prefix << 8 | (i < length ? bytes[from + i] & 0xFF : 0);
    }
    return prefix;
  }

  /** The ids' order: that of their UTF-8 bytes, unsigned, which is that of their code points. */
  int compareIds(int one, int other) {
    int oneFrom = starts[one] + 2;
    int otherFrom = starts[other] + 2;
    return Arrays.compareUnsigned(
        bytes,
        oneFrom,
        oneFrom + unsignedShort(starts[one]),
        bytes,
        otherFrom,
        otherFrom + unsignedShort(starts[other]));
  }

  boolean sameId(int one, int other) {
    return compareIds(one, other) == 0;
  }

  /** The change from the values before of {@code first} to the values after of {@code last}. */
  UserChange change(int first, int last) {
    int idLength = unsignedShort(starts[first]);
    String id = new String(bytes, starts[first] + 2, idLength, StandardCharsets.UTF_8);
    return new UserChange(id, values(beforeAt(first)), values(afterAt(last)));
  }

  private List<String> values(int at) {
    String[] values = new String[unsignedShort(at)];
    at += 2;
    for (int i = 0; i < values.length; i++) {
      int length = unsignedShort(at);
      values[i] = new String(bytes, at + 2, length, StandardCharsets.UTF_8);
      at += 2 + length;
    }
    return List.of(values);
  }

  private int unsignedShort(int at) {
    return (bytes[at] & 0xFF) << 8 | bytes[at + 1] & 0xFF;
  }
}
