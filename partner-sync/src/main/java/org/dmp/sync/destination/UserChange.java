package org.dmp.sync.destination;

import java.util.ArrayList;
import java.util.List;

/**
 * One partner user's mapped values before and after a change, or over a batch window (before its
 * first change, after its last). What is sent is the net change between the two: a value entered
 * and left within one window is not mentioned, one left and entered again neither.
 */
public record UserChange(String partnerUserId, List<String> before, List<String> after) {
  public UserChange {
    before = List.copyOf(before);
    after = List.copyOf(after);
  }

  /** Segments the user is in now and was not before the window. */
  public List<String> added() {
    return minus(after, before);
  }

  /** Segments the user was in before the window and is not now. */
  public List<String> removed() {
    return minus(before, after);
  }

  /**
   * The change over two consecutive stretches of time: this one's before, the later one's after.
   */
  public UserChange then(UserChange later) {
    return new UserChange(partnerUserId, before, later.after);
  }

  private static List<String> minus(List<String> from, List<String> taken) {
    if (from.isEmpty() || taken.isEmpty()) {
      // Both are immutable copies.
      return from;
    }
    List<String> left = new ArrayList<>(from.size());
    for (String value : from) {
      if (!taken.contains(value)) {
        left.add(value);
      }
    }
    return left;
  }
}
