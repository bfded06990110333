package org.dmp.sync.batch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.dmp.avro.BatchMode;
import org.dmp.sync.destination.UserChange;

/**
 * Turns the next window's spool into its outbound file. {@code iter}: one line per user whose
 * mapped segments changed over the window, net added first, net removed last. {@code full}: the
 * window's changes merged into the member table of the last file, one line per current member with
 * all their segments (and what they left in the window), plus a line for each user who left every
 * segment in the window. Both read and write in partner-id order, so memory stays bounded by the
 * sort's run size however many users there are. Deterministic: run again after a crash, it writes
 * the same bytes.
 */
public final class WindowPublication {
  private WindowPublication() {}

  /** What a publication wrote: the files, and for full files the new member table. */
  public record Result(OutboundFile.Published published, Optional<Path> members) {}

  public static Result publish(
      BatchSpool spool, BatchFileName name, Path outbox, int splitLines, int runSize) {
    Path spoolFile = spool.spoolFile(name.windowEnd());
    try (SortedChanges changes =
            Files.exists(spoolFile) ? new SortedChanges(spoolFile, spool.dir(), runSize) : null;
        OutboundFile file = new OutboundFile(outbox, name, splitLines)) {
      Iterator<UserChange> window = changes == null ? Collections.emptyIterator() : changes;
      Optional<Path> members = Optional.empty();
      if (name.mode() == BatchMode.FULL) {
        members = Optional.of(spool.membersFile(name.windowEnd()));
        mergeMembers(window, spool.members(), members.get(), file);
      } else {
        window.forEachRemaining(
            change -> {
              List<String> added = change.added();
              List<String> removed = change.removed();
              if (!added.isEmpty() || !removed.isEmpty()) {
                file.line(change.partnerUserId(), added, removed);
              }
            });
      }
      return new Result(file.publish(), members);
    }
  }

  private static void mergeMembers(
      Iterator<UserChange> window, Optional<Path> previous, Path next, OutboundFile file) {
    ChangeFile.Reader old = previous.filter(Files::exists).map(ChangeFile.Reader::new).orElse(null);
    try (ChangeFile.Writer members = new ChangeFile.Writer(next, 0)) {
      UserChange change = window.hasNext() ? window.next() : null;
      while (change != null || (old != null && old.hasNext())) {
        int order =
            change == null
                ? 1
                : old == null || !old.hasNext()
                    ? -1
                    : ChangeFile.compareIds(change.partnerUserId(), old.peek().partnerUserId());
        if (order > 0) {
          UserChange member = old.next();
          members.write(member);
          file.line(member.partnerUserId(), member.after(), List.of());
          continue;
        }
        // A member already in the table left what the table had and the window no longer has.
        UserChange known =
            order == 0
                ? new UserChange(change.partnerUserId(), old.next().after(), change.after())
                : change;
        if (!known.after().isEmpty()) {
          members.write(known.partnerUserId(), List.of(), known.after());
        }
        List<String> removed = known.removed();
        if (!known.after().isEmpty() || !removed.isEmpty()) {
          file.line(known.partnerUserId(), known.after(), removed);
        }
        change = window.hasNext() ? window.next() : null;
      }
      members.sync();
    } finally {
      if (old != null) {
        old.close();
      }
    }
  }
}
