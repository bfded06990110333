package org.dmp.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dmp.cli.Folders;

/**
 * A benchmark's working folder, deleted with everything in it when closed: a broker's log of a few
 * million events is hundreds of megabytes, and a run should not leave it behind.
 */
record ScratchDirectory(Path path) implements AutoCloseable {
  /** Linux's memory-backed file system, where a broker's file syncs cost nothing. */
  private static final Path MEMORY = Path.of("/dev/shm");

  /** A new folder under the system's temporary folder. */
  static ScratchDirectory onDisk(String prefix) throws IOException {
    return new ScratchDirectory(Files.createTempDirectory(prefix));
  }

  /** A new folder in memory, or on disk where this machine has no {@code /dev/shm}. */
  static ScratchDirectory inMemoryIfPossible(String prefix) throws IOException {
    if (Files.isDirectory(MEMORY) && Files.isWritable(MEMORY)) {
      return new ScratchDirectory(Files.createTempDirectory(MEMORY, prefix));
    }
    return onDisk(prefix);
  }

  boolean inMemory() {
    return path.startsWith(MEMORY);
  }

  Path resolve(String other) {
    return path.resolve(other);
  }

  @Override
  public void close() {
    Folders.delete(path);
  }
}
