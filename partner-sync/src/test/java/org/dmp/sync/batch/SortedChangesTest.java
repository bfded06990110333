package org.dmp.sync.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.dmp.sync.destination.UserChange;

class SortedChangesTest {

  /**
   * Whatever the run size and however little of the spool is read at once, the sort gives each
   * user's first before and last after, in the order of the ids' code points.
   */
  @Property(tries = 200)
  void sortingInRunsOnDiskGivesTheSameNetChangesAsInMemory(
      @ForAll @Size(max = 300) List<@IntRange(min = 0, max = 40) Integer> users,
      @ForAll @IntRange(min = 1, max = 50) int runSize,
      @ForAll @IntRange(min = 1, max = 100) int readBytes)
      throws IOException {
    Path dir = Files.createTempDirectory("sorted-changes");
    Path spool = dir.resolve("spool");
    Map<String, UserChange> expected = new TreeMap<>(ChangeFile::compareIds);
    Map<String, Integer> stateOf = new LinkedHashMap<>();
    try (ChangeFile.Writer writer = new ChangeFile.Writer(spool, 0)) {
      for (int user : users) {
        // Ids that differ early, ids alike in their first eight bytes, characters beyond
        // Latin-1, and on either side of the surrogates, which order the same as UTF-8 bytes and
        // as strings only by code point.
        String id =
            List.of("user", "crm-00000000-", "\u00fc\u20ac", "\uD83D\uDE00", "\uE000").get(user % 5)
                + user;
        int before = stateOf.getOrDefault(id, 0);
        int after = before + 1;
        stateOf.put(id, after);
        UserChange change = new UserChange(id, List.of("s" + before), List.of("s" + after));
        writer.write(change);
        expected.merge(id, change, UserChange::then);
      }
      writer.sync();
    }
    // A record cut short, as a crash leaves one after the last sync, is not one.
    Files.write(spool, new byte[] {0, 5, 'u', 's'}, StandardOpenOption.APPEND);
    List<UserChange> sorted = new ArrayList<>();
    try (SortedChanges changes = new SortedChanges(spool, dir, runSize, readBytes)) {
      changes.forEachRemaining(sorted::add);
    }
    assertThat(sorted).containsExactlyElementsOf(expected.values());
    try (var left = Files.list(dir)) {
      assertThat(left).as("runs are deleted").allMatch(path -> path.equals(spool));
    }
  }
}
