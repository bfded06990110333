package org.dmp.sync.batch;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.dmp.sync.destination.UserChange;

/**
 * Change records back to back in one growing array, laid out as {@link ChangeFile} writes them (the
 * id, then the values before, then after, each text a two-byte length and UTF-8), and where each
 * starts. A window's run is sorted as these bytes rather than as objects: a run of objects is
 * millions of them alive at once, and copying them from one young generation to the next took the
 * garbage collector longer than the sort itself.
 */
final class RecordArena {
  private byte[] bytes = new byte[1 << 20];
  private int size;
  private int[] starts = new int[1 << 12];
  private int count;

  int count() {
    return count;
  }

  /** Bytes held. */
  int size() {
    return size;
  }

  void clear() {
    size = 0;
    count = 0;
  }

  /** Starts a record at the end of what is held. */
  void begin() {
    if (count == starts.length) {
      starts = Arrays.copyOf(starts, count * 2);
    }
    starts[count++] = size;
  }

  /** Drops the record begun last: it was cut short. */
  void abandon() {
    size = starts[--count];
  }

  void append(byte[] source, int offset, int length) {
    if (size + length > bytes.length) {
      long grown = Math.max(2L * bytes.length, (long) size + length);
      bytes = Arrays.copyOf(bytes, (int) Math.min(grown, Integer.MAX_VALUE - 8));
    }
    System.arraycopy(source, offset, bytes, size, length);
    size += length;
  }

  byte[] bytes() {
    return bytes;
  }

  int start(int record) {
    return starts[record];
  }

  int end(int record) {
    return record + 1 < count ? starts[record + 1] : size;
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
