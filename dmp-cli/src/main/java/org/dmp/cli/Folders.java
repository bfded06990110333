package org.dmp.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Folders the commands make for their own use, and delete when done with them. */
public final class Folders {
  private Folders() {}

  /** Deletes the folder and everything in it; nothing when it does not exist. */
  public static void delete(Path folder) {
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(folder)) {
      paths.sorted(Comparator.reverseOrder()).forEach(Folders::deleteOne);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete the folder " + folder, e);
    }
  }

  private static void deleteOne(Path path) {
    try {
      Files.delete(path);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + path, e);
    }
  }
}
