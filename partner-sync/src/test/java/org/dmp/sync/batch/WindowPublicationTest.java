package org.dmp.sync.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.dmp.avro.BatchMode;
import org.dmp.sync.destination.UserChange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WindowPublicationTest {
  private static final Windows WINDOWS = new Windows(Duration.ofMinutes(1));
  private static final Instant FIRST_END = Instant.parse("2026-11-24T10:01:00Z");

  private static List<String> publishNext(BatchSpool spool, Path outbox, BatchMode mode)
      throws IOException {
    BatchFileName name =
        new BatchFileName("ftp", 9002, 20001, null, mode, spool.nextWindowEnd(), false);
    WindowPublication.Result result = WindowPublication.publish(spool, name, outbox, 0, 2);
    spool.published(result.members(), List.of());
    return Files.readAllLines(outbox.resolve(name.name(0)));
  }

  @Test
  void anIterFileListsEachUsersNetChangeOfTheWindowOnly(@TempDir Path dir) throws IOException {
    BatchSpool spool = BatchSpool.open(dir.resolve("spool"), WINDOWS.interval(), FIRST_END);
    spool.append(FIRST_END, new UserChange("u2", List.of(), List.of("a")));
    spool.append(FIRST_END, new UserChange("u1", List.of(), List.of("a", "b")));
    spool.append(FIRST_END, new UserChange("u2", List.of("a"), List.of()));
    spool.append(FIRST_END, new UserChange("u3", List.of("a", "c"), List.of("c")));
    spool.append(FIRST_END.plusSeconds(60), new UserChange("u4", List.of(), List.of("a")));
    spool.sync();

    assertThat(publishNext(spool, dir.resolve("outbox"), BatchMode.ITER))
        .containsExactly("u1 a,b ", "u3  a");
    assertThat(publishNext(spool, dir.resolve("outbox"), BatchMode.ITER)).containsExactly("u4 a ");
    assertThat(publishNext(spool, dir.resolve("outbox"), BatchMode.ITER))
        .as("a window without changes still gets its file")
        .isEmpty();
    assertThat(spool.sequence()).isEqualTo(3);
  }

  @Test
  void aFullFileListsEveryCurrentMemberAcrossWindows(@TempDir Path dir) throws IOException {
    BatchSpool spool = BatchSpool.open(dir.resolve("spool"), WINDOWS.interval(), FIRST_END);
    Path outbox = dir.resolve("outbox");
    spool.append(FIRST_END, new UserChange("u1", List.of(), List.of("a")));
    spool.append(FIRST_END, new UserChange("u2", List.of(), List.of("a", "b")));
    spool.append(FIRST_END, new UserChange("u5", List.of(), List.of("b")));
    spool.sync();
    assertThat(publishNext(spool, outbox, BatchMode.FULL))
        .containsExactly("u1 a ", "u2 a,b ", "u5 b ");

    spool.append(spool.nextWindowEnd(), new UserChange("u2", List.of("a", "b"), List.of("b")));
    spool.append(spool.nextWindowEnd(), new UserChange("u3", List.of(), List.of("c")));
    spool.append(spool.nextWindowEnd(), new UserChange("u5", List.of("b"), List.of()));
    spool.sync();
    assertThat(publishNext(spool, outbox, BatchMode.FULL))
        .as("u5 left everything: listed once with what they left, then gone")
        .containsExactly("u1 a ", "u2 b a", "u3 c ", "u5  b");

    assertThat(publishNext(spool, outbox, BatchMode.FULL))
        .containsExactly("u1 a ", "u2 b ", "u3 c ");
    try (var files = Files.list(spool.dir())) {
      assertThat(
              files
                  .map(path -> path.getFileName().toString())
                  .filter(name -> name.startsWith("members-")))
          .as("only the current member table is kept")
          .hasSize(1);
    }
  }

  @Test
  void afterACrashTheSpoolHoldsExactlyWhatWasSynced(@TempDir Path dir) {
    BatchSpool spool = BatchSpool.open(dir, WINDOWS.interval(), FIRST_END);
    spool.append(FIRST_END, new UserChange("u1", List.of(), List.of("a")));
    spool.read(0, 11);
    spool.sync();
    spool.append(FIRST_END, new UserChange("u2", List.of(), List.of("a")));
    spool.read(0, 12);
    spool.close();

    BatchSpool reopened = BatchSpool.open(dir, WINDOWS.interval(), FIRST_END.plusSeconds(600));
    assertThat(reopened.offset(0)).contains(11L);
    assertThat(reopened.nextWindowEnd())
        .as("the state on disk wins over a new start")
        .isEqualTo(FIRST_END);
    reopened.append(FIRST_END, new UserChange("u3", List.of(), List.of("a")));
    reopened.sync();
    List<String> users = new java.util.ArrayList<>();
    try (ChangeFile.Reader reader = new ChangeFile.Reader(reopened.spoolFile(FIRST_END))) {
      while (reader.hasNext()) {
        users.add(reader.next().partnerUserId());
      }
    }
    assertThat(users).containsExactly("u1", "u3");
  }
}
