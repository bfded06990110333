package org.dmp.sync.batch;

import java.util.Collection;

/**
 * One line of an outbound file: {@code <partner user id> <segment,segment,...>
 * <removed,removed,...>}, single spaces, either list may be empty.
 */
public final class SyncLine {
  private SyncLine() {}

  public static String format(
      String partnerUserId, Collection<String> segments, Collection<String> removed) {
    return partnerUserId + ' ' + String.join(",", segments) + ' ' + String.join(",", removed);
  }
}
