package org.dmp.inbound.ingest;

import java.util.HashMap;
import java.util.Map;

/**
 * How many lines each user has had in one file, for Audience Manager's bound of {@value #MOST}
 * lines per user per file: the first {@value #MOST} count, the rest are rejected.
 */
final class UserLines {
  static final int MOST = 200;

  private final Map<String, int[]> lines = new HashMap<>();

  /**
   * Counts a line of the user.
   *
   * @return the user's line number in the file: 1 for a user's first line
   */
  int count(String userId) {
    int[] count = lines.computeIfAbsent(userId, id -> new int[1]);
    return ++count[0];
  }
}
