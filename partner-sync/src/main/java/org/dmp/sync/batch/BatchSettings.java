package org.dmp.sync.batch;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where batch destinations keep their open windows, how they close them, and how long an upload may
 * take.
 *
 * @param grace how long after a window's end its changes may still arrive before the file is
 *     written
 * @param sortRun how many changes are sorted in memory at once when a window closes
 * @param uploadTimeout how long the partner has to take one uploaded file
 */
public record BatchSettings(
    Path spoolDir, Path outboxRoot, Duration grace, int sortRun, Duration uploadTimeout) {

  /**
   * Where a destination's files go: {@code outbox} taken from the outbox root.
   *
   * @throws IllegalArgumentException when it lies outside the root
   */
  public Path outboxOf(String outbox) {
    Path root = outboxRoot.toAbsolutePath().normalize();
    Path resolved = root.resolve(outbox).normalize();
    if (!resolved.startsWith(root)) {
      throw new IllegalArgumentException(
          "the outbox " + outbox + " lies outside sync.batch.outbox-root " + root);
    }
    return resolved;
  }
}
