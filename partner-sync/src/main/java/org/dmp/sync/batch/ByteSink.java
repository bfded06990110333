package org.dmp.sync.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Bytes gathered in a buffer of its own and handed on in large writes, with text written as UTF-8
 * straight into the buffer when it is ASCII (partner ids and segment values nearly always are).
 * Java's buffered streams and writers take a lock per call and its encoders allocate per string:
 * for the millions of short texts of a batch window that cost more than the bytes.
 */
final class ByteSink {
  /** Where full buffers go. */
  @FunctionalInterface
  interface Drain {
    void write(byte[] bytes, int length) throws IOException;
  }

  private final byte[] bytes;
  private final Drain drain;
  private int size;

  ByteSink(Drain drain) {
    this(drain, 1 << 16);
  }

  ByteSink(Drain drain, int bufferSize) {
    this.drain = drain;
    this.bytes = new byte[bufferSize];
  }

  void write(int b) {
    room(1);
    bytes[size++] = (byte) b;
  }

  /** Two bytes, high first, as {@link java.io.DataOutput#writeShort} writes them. */
  void writeShort(int value) {
    room(2);
    bytes[size++] = (byte) (value >>> 8);
    bytes[size++] = (byte) value;
  }

  void writeUtf8(String text) {
    int length = text.length();
    if (length <= bytes.length) {
      room(length);
      if (ascii(text, size)) {
        size += length;
        return;
      }
    }
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    writeBytes(utf8, 0, utf8.length);
  }

  /**
   * The text's length in UTF-8 bytes as two bytes, then those bytes.
   *
   * @throws IllegalArgumentException when they are more than 65,535
   */
  void writeShortUtf8(String text) {
    int length = text.length();
    if (length + 2 <= bytes.length) {
      room(length + 2);
      if (ascii(text, size + 2)) {
        writeShort(length);
        size += length;
        return;
      }
    }
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    if (utf8.length > 0xFFFF) {
      throw new IllegalArgumentException(
          "an id or segment value of " + utf8.length + " bytes; at most 65535");
    }
    writeShort(utf8.length);
    writeBytes(utf8, 0, utf8.length);
  }

  /** Hands on what the buffer holds. */
  void flush() {
    if (size == 0) {
      return;
    }
    try {
      drain.write(bytes, size);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    size = 0;
  }

  /** Copies the text into the buffer at {@code at} if it is all ASCII; the caller made room. */
  private boolean ascii(String text, int at) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x80) {
        return false;
      }
      bytes[at + i] = (byte) c;
    }
    return true;
  }

  void writeBytes(byte[] source, int offset, int length) {
    int from = offset;
    int end = offset + length;
    while (from < end) {
      room(1);
      int count = Math.min(end - from, bytes.length - size);
      System.arraycopy(source, from, bytes, size, count);
      size += count;
      from += count;
    }
  }

  private void room(int needed) {
    if (bytes.length - size < needed) {
      flush();
    }
  }
}
