package org.dmp.cli.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.dmp.avro.BatchMode;
import org.dmp.sync.batch.BatchFileName;
import org.dmp.sync.batch.BatchSpool;
import org.dmp.sync.batch.WindowPublication;
import org.dmp.sync.batch.Windows;
import org.dmp.sync.destination.UserChange;

/**
 * Writes full files for a given number of members through the same code a batch destination runs:
 * the first file, whose window brings every member as a change (sorted on disk), and the next,
 * where one member in a hundred changed and the rest come from the member table.
 */
final class FullFileBenchmark {
  private static final Windows WINDOWS = new Windows(Duration.ofHours(24));
  private static final List<String> SEGMENTS =
      List.of("101", "102", "103", "104", "105", "106", "107", "108");

  private FullFileBenchmark() {}

  /** One file written: how long it took and what it holds. */
  record Written(Duration took, long lines, long bytes, String file) {
    double seconds() {
      return took.toNanos() / 1e9;
    }

    double linesPerSecond() {
      return lines / seconds();
    }
  }

  /** What the benchmark measured: spooling the first window, then the two files. */
  record Result(Duration spooled, Written first, Written next) {}

  static Result run(Path dir, int members, int sortRun, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Instant firstEnd = WINDOWS.endOf(Instant.parse("2026-11-24T12:00:00Z"));
    BatchSpool spool = BatchSpool.open(dir.resolve("spool"), WINDOWS.interval(), firstEnd);
    long started = System.nanoTime();
    for (int i = 0; i < members; i++) {
      spool.append(firstEnd, new UserChange(partnerId(random), List.of(), segments(random)));
    }
    spool.sync();
    Duration spooled = Duration.ofNanos(System.nanoTime() - started);
    Written first = publish(spool, dir.resolve("outbox"), sortRun);

    SplittableRandom again = new SplittableRandom(seed);
    for (int i = 0; i < members; i++) {
      String member = partnerId(again);
      List<String> was = segments(again);
      if (i % 100 == 0) {
        spool.append(spool.nextWindowEnd(), new UserChange(member, was, segments(random)));
      }
    }
    spool.sync();
    Written next = publish(spool, dir.resolve("outbox"), sortRun);
    spool.close();
    return new Result(spooled, first, next);
  }

  private static Written publish(BatchSpool spool, Path outbox, int sortRun) {
    BatchFileName name =
        new BatchFileName("ftp", 1, 20001, null, BatchMode.FULL, spool.nextWindowEnd(), false);
    long started = System.nanoTime();
    WindowPublication.Result result = WindowPublication.publish(spool, name, outbox, 0, sortRun);
    spool.published(result.members(), List.of());
    return new Written(
        Duration.ofNanos(System.nanoTime() - started),
        result.published().lines(),
        result.published().bytes(),
        name.name(0));
  }

  /** A 20-digit id, as partners' ids often are. */
  private static String partnerId(SplittableRandom random) {
    return String.format("%020d", random.nextLong(Long.MAX_VALUE));
  }

  private static List<String> segments(SplittableRandom random) {
    int from = random.nextInt(SEGMENTS.size());
    return SEGMENTS.subList(from, Math.min(SEGMENTS.size(), from + 1 + random.nextInt(3)));
  }
}
