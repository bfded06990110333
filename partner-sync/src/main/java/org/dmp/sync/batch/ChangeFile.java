package org.dmp.sync.batch;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.NoSuchElementException;
import org.dmp.sync.destination.UserChange;

/**
 * Users' changes in a compact binary file: the spool of an open window, the sorted runs of the
 * external sort and the table of a full destination's members all use it.
 */
final class ChangeFile {
  private ChangeFile() {}

  /** Changes in order, each seen before it is taken. */
  interface Source {
    boolean hasNext();

    UserChange peek();

    UserChange next();
  }

  /**
   * The reader's buffer: more than the longest text (a length and 65,535 bytes), so that a text is
   * always read whole from it.
   */
  private static final int BUFFER = 1 << 17;

  /**
   * Appends changes to a file, durable on {@link #sync()}. It buffers on its own ({@link
   * ByteSink}): Java's buffered streams cost more than the bytes in a window's sort.
   */
  static final class Writer implements Closeable {
    private final FileChannel channel;
    private final ByteSink out;

    /**
     * Opens {@code file} for appending after its first {@code validLength} bytes; anything after
     * them is cut off.
     */
    Writer(Path file, long validLength) {
      try {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        channel.truncate(validLength);
        channel.position(validLength);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open " + file, e);
      }
      out =
          new ByteSink(
              (bytes, length) -> {
                ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, length);
                while (buffer.hasRemaining()) {
                  channel.write(buffer);
                }
              });
    }

    /**
     * Length-prefixed UTF-8 texts (cheaper than writeUTF's modified UTF-8, which dominated the cost
     * of a window's sort): the id, then each list's size and values.
     */
    void write(UserChange change) {
      write(change.partnerUserId(), change.before(), change.after());
    }

    void write(String partnerUserId, List<String> before, List<String> after) {
      out.writeShortUtf8(partnerUserId);
      writeList(before);
      writeList(after);
    }

    /** Bytes already laid out as this file's records are. */
    void writeRaw(byte[] bytes, int from, int to) {
      out.writeBytes(bytes, from, to - from);
    }

    private void writeList(List<String> values) {
      out.writeShort(values.size());
      for (String value : values) {
        out.writeShortUtf8(value);
      }
    }

    /** Flushes and forces what was written to disk; returns the file's length, all of it valid. */
    long sync() {
      try {
        out.flush();
        channel.force(false);
        return channel.position();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      try (FileChannel closing = channel) {
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * The order of partner ids in runs, member tables and files: that of their UTF-8 bytes, which is
   * their code points' ({@link String#compareTo} orders UTF-16 units, which differs for characters
   * beyond the Basic Multilingual Plane), so that ids sorted as bytes and as strings agree.
   */
  static int compareIds(String one, String other) {
    int shorter = Math.min(one.length(), other.length());
    for (int i = 0; i < shorter; i++) {
      char a = one.charAt(i);
      char b = other.charAt(i);
      if (a != b) {
        if (a >= 0xD800 && b >= 0xD800) {
          return codePointRank(a) - codePointRank(b);
        }
        return a - b;
      }
    }
    return one.length() - other.length();
  }

  /** Surrogates above the rest of the plane's top, as the code points they stand for are. */
  private static int codePointRank(char unit) {
    return unit >= 0xE000 ? unit - 0x800 : unit + 0x2000;
  }

  /** Reads changes in the order written; a change cut short at the end of the file is not one. */
  static final class Reader implements Source, Closeable {
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER).flip();
    private UserChange next;

    Reader(Path file) {
      try {
        channel = FileChannel.open(file, StandardOpenOption.READ);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
      advance();
    }

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public UserChange peek() {
      if (next == null) {
        throw new NoSuchElementException();
      }
      return next;
    }

    @Override
    public UserChange next() {
      UserChange current = peek();
      advance();
      return current;
    }

    private void advance() {
      try {
        String partnerUserId = readText();
        next = new UserChange(partnerUserId, readList(), readList());
      } catch (EOFException end) {
        next = null;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Immutable as read, so the change's own defensive copy costs nothing. */
    private List<String> readList() throws IOException {
      int size = readLength();
      String[] values = new String[size];
      for (int i = 0; i < size; i++) {
        values[i] = readText();
      }
      return List.of(values);
    }

    private String readText() throws IOException {
      int length = readLength();
      need(length);
      String text = new String(buffer.array(), buffer.position(), length, StandardCharsets.UTF_8);
      buffer.position(buffer.position() + length);
      return text;
    }

    private int readLength() throws IOException {
      need(2);
      return Short.toUnsignedInt(buffer.getShort());
    }

    /** At least {@code bytes} in the buffer, or the end of the file. */
    private void need(int bytes) throws IOException {
      if (buffer.remaining() >= bytes) {
        return;
      }
      buffer.compact();
      while (buffer.position() < bytes) {
        if (channel.read(buffer) < 0) {
          buffer.flip();
          throw new EOFException();
        }
      }
      buffer.flip();
    }

    @Override
    public void close() {
      try {
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
