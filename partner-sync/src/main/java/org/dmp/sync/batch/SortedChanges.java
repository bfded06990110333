package org.dmp.sync.batch;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import org.dmp.sync.destination.UserChange;

/**
 * A window's changes as one net change per user, in partner-id order, with memory bounded by the
 * run size whatever the window holds: runs of changes are sorted in memory (stably, so each user's
 * changes keep their order), merged per user and written to disk, then the runs are merged.
 */
final class SortedChanges implements Iterator<UserChange>, Closeable {
  private final List<ChangeFile.Reader> runs = new ArrayList<>();
  private final List<Path> runFiles = new ArrayList<>();
  private final PriorityQueue<Integer> heads;
  private Iterator<UserChange> inMemory;

  /**
   * @param spool the window's changes in arrival order
   * @param workDir where runs are written, and deleted on close
   * @param runSize changes sorted in memory at once
   */
  SortedChanges(Path spool, Path workDir, int runSize) {
    heads =
        new PriorityQueue<>(
            Comparator.<Integer, String>comparing(run -> runs.get(run).peek().partnerUserId())
                .thenComparing(run -> run));
    List<UserChange> run = new ArrayList<>(Math.min(runSize, 1 << 16));
    boolean spilled = false;
    try (ChangeFile.Reader reader = new ChangeFile.Reader(spool)) {
      while (reader.hasNext()) {
        run.add(reader.next());
        if (run.size() >= runSize) {
          spill(run, workDir);
          spilled = true;
        }
      }
    }
    if (!spilled) {
      inMemory = netPerUser(run).iterator();
      return;
    }
    if (!run.isEmpty()) {
      spill(run, workDir);
    }
    for (int i = 0; i < runs.size(); i++) {
      if (runs.get(i).hasNext()) {
        heads.add(i);
      }
    }
  }

  /**
   * A change with the start of its partner id packed in a long: most comparisons end on the long,
   * far cheaper than on the strings.
   */
  private record Keyed(long prefix, UserChange change) {
    static Keyed of(UserChange change) {
      String id = change.partnerUserId();
      long prefix = 0;
      for (int i = 0; i < 8; i++) {
        // Clamped, so a smaller prefix means a smaller id; equal prefixes fall back to the whole
        // ids.
        prefix = prefix << 8 | (i < id.length() ? Math.min(id.charAt(i), 0xFF) : 0);
      }
      return new Keyed(prefix, change);
    }
  }

  private static final Comparator<Keyed> BY_PREFIX_THEN_USER =
      (a, b) -> {
        int byPrefix = Long.compareUnsigned(a.prefix, b.prefix);
        return byPrefix != 0
            ? byPrefix
            : a.change.partnerUserId().compareTo(b.change.partnerUserId());
      };

  private static List<UserChange> netPerUser(List<UserChange> run) {
    Keyed[] sorted = new Keyed[run.size()];
    for (int i = 0; i < sorted.length; i++) {
      sorted[i] = Keyed.of(run.get(i));
    }
    // Stable, so each user's changes stay in arrival order; on every core, as a window closes only
    // now and then.
    Arrays.parallelSort(sorted, BY_PREFIX_THEN_USER);
    List<UserChange> net = new ArrayList<>(sorted.length);
    for (Keyed keyed : sorted) {
      UserChange change = keyed.change;
      int last = net.size() - 1;
      if (last >= 0 && net.get(last).partnerUserId().equals(change.partnerUserId())) {
        net.set(last, net.get(last).then(change));
      } else {
        net.add(change);
      }
    }
    return net;
  }

  private void spill(List<UserChange> run, Path workDir) {
    try {
      Path file = Files.createTempFile(workDir, "run-", ".bin");
      try (ChangeFile.Writer writer = new ChangeFile.Writer(file, 0)) {
        netPerUser(run).forEach(writer::write);
      }
      runFiles.add(file);
      runs.add(new ChangeFile.Reader(file));
      run.clear();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean hasNext() {
    return inMemory != null ? inMemory.hasNext() : !heads.isEmpty();
  }

  /** The next user's net change: runs are in arrival order, so earlier runs' changes come first. */
  @Override
  public UserChange next() {
    if (inMemory != null) {
      return inMemory.next();
    }
    if (heads.isEmpty()) {
      throw new NoSuchElementException();
    }
    List<Integer> same = new ArrayList<>();
    int first = heads.poll();
    same.add(first);
    String user = runs.get(first).peek().partnerUserId();
    while (!heads.isEmpty() && runs.get(heads.peek()).peek().partnerUserId().equals(user)) {
      same.add(heads.poll());
    }
    same.sort(Comparator.naturalOrder());
    UserChange net = null;
    for (int run : same) {
      UserChange change = runs.get(run).next();
      net = net == null ? change : net.then(change);
      if (runs.get(run).hasNext()) {
        heads.add(run);
      }
    }
    return net;
  }

  @Override
  public void close() {
    runs.forEach(ChangeFile.Reader::close);
    for (Path file : runFiles) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
