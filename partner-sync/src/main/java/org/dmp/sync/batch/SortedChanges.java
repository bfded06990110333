package org.dmp.sync.batch;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.dmp.sync.destination.UserChange;

/**
 * A window's changes as one net change per user, in partner-id order ({@link
 * ChangeFile#compareIds}), with memory bounded by the run size whatever the window holds: runs of
 * changes are sorted in memory as bytes ({@link RecordArena}; stably, so each user's changes keep
 * their order) and merged per user, every run but the last written to disk, then the runs are
 * merged.
 */
final class SortedChanges implements Iterator<UserChange>, Closeable {
  /** A run is also written to disk once its records take this many bytes. */
  private static final int MOST_RUN_BYTES = 1 << 28;

  private final List<ChangeFile.Source> runs = new ArrayList<>();
  private final List<ChangeFile.Reader> onDisk = new ArrayList<>();
  private final List<Path> runFiles = new ArrayList<>();
  private ChangeFile.Source inMemory;

  /**
   * @param spool the window's changes in arrival order
   * @param workDir where runs are written, and deleted on close
   * @param runSize changes sorted in memory at once
   */
  SortedChanges(Path spool, Path workDir, int runSize) {
    this(spool, workDir, runSize, 1 << 22);
  }

  /**
   * @param readBytes how much of the spool is read at once
   */
  SortedChanges(Path spool, Path workDir, int runSize, int readBytes) {
    RecordArena run = new RecordArena(readBytes);
    // A record cut short at the end of the spool (written after its last sync) is not one.
    try (FileChannel channel = FileChannel.open(spool, StandardOpenOption.READ)) {
      while (run.read(channel)) {
        run.find(runSize);
        // Only once more is read: the last run stays in memory.
        while ((run.count() >= runSize || run.recordBytes() >= MOST_RUN_BYTES)
            && run.readPastRecords()) {
          spill(run, workDir);
          run.find(runSize);
        }
      }
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot read " + spool, e);
    } catch (RuntimeException failed) {
      close();
      throw failed;
    }
    // The last run need not go to disk to be read again: it is no bigger than a run.
    ChangeFile.Source last = new Sorted(run);
    if (runs.isEmpty()) {
      inMemory = last;
      return;
    }
    runs.add(last);
  }

  /**
   * A run's records sorted by id, stably, as pairs of the first and the last record of each user
   * ({@code firsts} and {@code lasts}): the net change is the first's values before and the last's
   * after. Sorted by the ids' first eight bytes packed in a long, with a stable radix sort, far
   * cheaper than comparing ids; only ids that share those bytes are then compared whole.
   */
  private static final class Sorted implements ChangeFile.Source {
    private final RecordArena arena;
    private final int[] firsts;
    private final int[] lasts;
    private final int users;
    private int next;
    private UserChange current;

    Sorted(RecordArena arena) {
      this.arena = arena;
      int count = arena.count();
      long[] prefixes = new long[count];
      int[] order = new int[count];
      for (int record = 0; record < count; record++) {
        prefixes[record] = arena.prefix(record);
        order[record] = record;
      }
      radixSort(prefixes, order);
      sortTies(prefixes, order, arena);
      firsts = new int[count];
      lasts = new int[count];
      int user = -1;
      for (int i = 0; i < count; i++) {
        int record = order[i];
        // Ids whose prefixes differ differ: most are told apart without reading them again.
        if (user >= 0 && prefixes[i] == prefixes[i - 1] && arena.sameId(firsts[user], record)) {
          lasts[user] = record;
        } else {
          user++;
          firsts[user] = record;
          lasts[user] = record;
        }
      }
      users = user + 1;
    }

    void writeTo(ChangeFile.Writer writer) {
      byte[] bytes = arena.bytes();
      for (int user = 0; user < users; user++) {
        int first = firsts[user];
        int last = lasts[user];
        writer.writeRaw(bytes, arena.start(first), arena.afterAt(first));
        writer.writeRaw(bytes, arena.afterAt(last), arena.end(last));
      }
    }

    @Override
    public boolean hasNext() {
      return next < users;
    }

    /** Made once per user: the merge looks at a run's head many times. */
    @Override
    public UserChange peek() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      if (current == null) {
        current = arena.change(firsts[next], lasts[next]);
      }
      return current;
    }

    @Override
    public UserChange next() {
      UserChange change = peek();
      next++;
      current = null;
      return change;
    }
  }

  /**
   * Least significant byte first, each pass stable, so equal prefixes keep their order; a byte that
   * is the same in every prefix (the first digit of ids of one length, say) takes no pass.
   */
  private static void radixSort(long[] keys, int[] order) {
    long[] keysOut = new long[keys.length];
    int[] orderOut = new int[order.length];
    int[] counts = new int[257];
    for (int shift = 0; shift < 64; shift += 8) {
      Arrays.fill(counts, 0);
      for (long key : keys) {
        counts[(int) (key >>> shift & 0xFF) + 1]++;
      }
      boolean oneValue = false;
      for (int count : counts) {
        oneValue |= count == keys.length;
      }
      if (oneValue) {
        continue;
      }
      for (int bucket = 0; bucket < 256; bucket++) {
        counts[bucket + 1] += counts[bucket];
      }
      for (int i = 0; i < keys.length; i++) {
        int at = counts[(int) (keys[i] >>> shift & 0xFF)]++;
        keysOut[at] = keys[i];
        orderOut[at] = order[i];
      }
      System.arraycopy(keysOut, 0, keys, 0, keys.length);
      System.arraycopy(orderOut, 0, order, 0, order.length);
    }
  }

  /** Orders each stretch of equal prefixes by the whole ids, stably. */
  private static void sortTies(long[] prefixes, int[] order, RecordArena arena) {
    Comparator<Integer> byId = (one, other) -> arena.compareIds(one, other);
    int from = 0;
    while (from < prefixes.length) {
      int to = from + 1;
      while (to < prefixes.length && prefixes[to] == prefixes[from]) {
        to++;
      }
      if (to - from > 1) {
        Integer[] tied = new Integer[to - from];
        for (int i = from; i < to; i++) {
          tied[i - from] = order[i];
        }
        // Stable: records of one id keep their order.
        Arrays.sort(tied, byId);
        for (int i = from; i < to; i++) {
          order[i] = tied[i - from];
        }
      }
      from = to;
    }
  }

  private void spill(RecordArena run, Path workDir) {
    try {
      Path file = Files.createTempFile(workDir, "run-", ".bin");
      try (ChangeFile.Writer writer = new ChangeFile.Writer(file, 0)) {
        new Sorted(run).writeTo(writer);
      }
      runFiles.add(file);
      ChangeFile.Reader reader = new ChangeFile.Reader(file);
      runs.add(reader);
      onDisk.add(reader);
      run.clear();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean hasNext() {
    if (inMemory != null) {
      return inMemory.hasNext();
    }
    for (ChangeFile.Source run : runs) {
      if (run.hasNext()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The next user's net change: the smallest id at the head of any run, its changes taken from each
   * run in arrival order (earlier runs hold earlier changes). A scan of the runs' heads, not a
   * heap: there are few runs (a window's changes over the run size), and a heap of boxed indices
   * cost more than the comparisons it saved.
   */
  @Override
  public UserChange next() {
    if (inMemory != null) {
      return inMemory.next();
    }
    String user = null;
    for (ChangeFile.Source run : runs) {
      if (run.hasNext()) {
        String id = run.peek().partnerUserId();
        if (user == null || ChangeFile.compareIds(id, user) < 0) {
          user = id;
        }
      }
    }
    if (user == null) {
      throw new NoSuchElementException();
    }
    UserChange net = null;
    for (ChangeFile.Source run : runs) {
      if (run.hasNext() && run.peek().partnerUserId().equals(user)) {
        UserChange change = run.next();
        net = net == null ? change : net.then(change);
      }
    }
    return net;
  }

  @Override
  public void close() {
    onDisk.forEach(ChangeFile.Reader::close);
    for (Path file : runFiles) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
