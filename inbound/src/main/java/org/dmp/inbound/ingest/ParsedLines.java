package org.dmp.inbound.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.LongSupplier;
import org.dmp.inbound.format.InboundLine;
import org.dmp.inbound.format.InboundLineException;
import org.dmp.inbound.format.LineParser;

/**
 * A file's lines, read, parsed and encoded on a thread of their own a block at a time while the
 * ingestion applies the blocks before: that took half of each line's time, and a machine has
 * another core. Blocks come in file order; a read that breaks (a corrupt gzip, a truncated file)
 * comes after the lines read before it.
 */
final class ParsedLines implements AutoCloseable {
  private static final int BLOCK = 1024;

  /** Blocks read ahead, at most: a few megabytes of lines. */
  private static final int AHEAD = 16;

  private static final Object END = new Object();

  /** One line: what it says and its encoding, or why it is refused. */
  record Parsed(InboundLine line, Chunks.Encoded encoded, InboundLineException refusal) {
    /**
     * @throws InboundLineException why the line is refused
     */
    InboundLine orThrow() {
      if (refusal != null) {
        throw refusal;
      }
      return line;
    }
  }

  /** Lines in file order, and how far into the file as received reading had got after the last. */
  record Block(List<Parsed> lines, long bytesRead) {}

  private final BufferedReader reader;
  private final LongSupplier bytesRead;
  private final LineParser parser;
  private final Chunks chunks;
  private final BlockingQueue<Object> blocks = new ArrayBlockingQueue<>(AHEAD);
  private final Thread thread;
  private boolean ended;

  private ParsedLines(
      BufferedReader reader, LongSupplier bytesRead, LineParser parser, Chunks chunks) {
    this.reader = reader;
    this.bytesRead = bytesRead;
    this.parser = parser;
    this.chunks = chunks;
    this.thread = new Thread(this::read, "dmp-ingest-reader");
    thread.setDaemon(true);
  }

  /**
   * @param bytesRead how far into the file as received the reader has got, asked on the reading
   *     thread
   * @param chunks what encodes the lines, on the reading thread
   */
  static ParsedLines start(
      BufferedReader reader, LongSupplier bytesRead, LineParser parser, Chunks chunks) {
    ParsedLines lines = new ParsedLines(reader, bytesRead, parser, chunks);
    lines.thread.start();
    return lines;
  }

  /**
   * The next block; null after the last.
   *
   * @throws IOException why reading broke, once the lines read before it are taken
   */
  Block next() throws IOException {
    if (ended) {
      return null;
    }
    Object next;
    try {
      next = blocks.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new InterruptedIOException("interrupted while reading"));
    }
    if (next instanceof Block block) {
      return block;
    }
    ended = true;
    if (next instanceof IOException broken) {
      throw broken;
    }
    if (next instanceof RuntimeException failed) {
      throw failed;
    }
    if (next instanceof Error failed) {
      throw failed;
    }
    return null;
  }

  private void read() {
    List<Parsed> block = new ArrayList<>(BLOCK);
    try {
      try {
        long lineNumber = 0;
        for (String text = reader.readLine(); text != null; text = reader.readLine()) {
          block.add(parse(++lineNumber, text));
          if (block.size() == BLOCK) {
            blocks.put(new Block(block, bytesRead.getAsLong()));
            block = new ArrayList<>(BLOCK);
          }
        }
        blocks.put(new Block(block, bytesRead.getAsLong()));
        blocks.put(END);
      } catch (Throwable broken) {
        // An Error too (a line too long for the heap): left here, it would leave the ingestion
        // waiting for a block that never comes.
        blocks.put(new Block(block, bytesRead.getAsLong()));
        blocks.put(broken);
      }
    } catch (InterruptedException closed) {
      // The ingestion is done with the file.
    }
  }

  private Parsed parse(long lineNumber, String text) {
    try {
      InboundLine line = parser.parse(text);
      if (text.indexOf('\uFFFD') >= 0) {
        throw new InboundLineException("the line is not UTF-8");
      }
      return new Parsed(line, chunks.encode(lineNumber, line), null);
    } catch (InboundLineException refused) {
      return new Parsed(null, null, refused);
    }
  }

  @Override
  public void close() throws IOException {
    thread.interrupt();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    reader.close();
  }
}
