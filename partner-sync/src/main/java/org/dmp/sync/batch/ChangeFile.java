package org.dmp.sync.batch;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

  /** Appends changes to a file, durable on {@link #sync()}. */
  static final class Writer implements Closeable {
    private final FileChannel channel;
    private final DataOutputStream out;

    /**
     * Opens {@code file} for appending after its first {@code validLength} bytes; anything after
     * them is cut off.
     */
    Writer(Path file, long validLength) {
      try {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        channel.truncate(validLength);
        channel.position(validLength);
        OutputStream stream = Channels.newOutputStream(channel);
        out = new DataOutputStream(new BufferedOutputStream(stream, 1 << 16));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open " + file, e);
      }
    }

    void write(UserChange change) {
      try {
        writeText(change.partnerUserId());
        writeList(change.before());
        writeList(change.after());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void writeList(List<String> values) throws IOException {
      out.writeShort(values.size());
      for (String value : values) {
        writeText(value);
      }
    }

    /**
     * Length-prefixed UTF-8: cheaper than writeUTF's modified UTF-8, which dominated the cost of a
     * window's sort.
     */
    private void writeText(String text) throws IOException {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      if (bytes.length > 0xFFFF) {
        throw new IllegalArgumentException(
            "an id or segment value of " + bytes.length + " bytes; at most 65535");
      }
      out.writeShort(bytes.length);
      out.write(bytes);
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
      try {
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Reads changes in the order written. */
  static final class Reader implements Closeable {
    private final DataInputStream in;
    private byte[] buffer = new byte[64];
    private UserChange next;

    Reader(Path file) {
      try {
        in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
      advance();
    }

    boolean hasNext() {
      return next != null;
    }

    UserChange peek() {
      if (next == null) {
        throw new NoSuchElementException();
      }
      return next;
    }

    UserChange next() {
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
      int size = in.readUnsignedShort();
      String[] values = new String[size];
      for (int i = 0; i < size; i++) {
        values[i] = readText();
      }
      return List.of(values);
    }

    private String readText() throws IOException {
      int length = in.readUnsignedShort();
      if (buffer.length < length) {
        buffer = new byte[length];
      }
      in.readFully(buffer, 0, length);
      return new String(buffer, 0, length, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
      try {
        in.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
