package org.dmp.sync.batch;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * A window's changes as one net change per user, in partner-id order, with memory bounded by the
 * run size whatever the window holds: runs of changes are sorted in memory (stably, so each user's
 * changes keep their order), merged per user and written to disk, then the runs are merged.
 */
final class SortedChanges implements Iterator<UserChange>, Closeable {
  private static final Comparator<UserChange> BY_USER = Comparator.comparing(UserChange::partnerUserId);

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
    heads = new PriorityQueue<>(Comparator.<Integer, String>comparing(run -> runs.get(run).peek().partnerUserId()).thenComparing(run -> run));
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

  private static List<UserChange> netPerUser(List<UserChange> run) {
    run.sort(BY_USER);
    List<UserChange> net = new ArrayList<>();
    for (UserChange change : run) {
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
