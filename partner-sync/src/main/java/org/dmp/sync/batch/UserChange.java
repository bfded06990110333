package org.dmp.sync.batch;

import java.util.ArrayList;
import java.util.List;

/**
 * What a window holds of one user: the destination's mapped segments the user was in before the
 * window's first change and after its last. The file shows the net change between the two: a
 * segment entered and left within one window is not mentioned, one left and entered again neither.
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

  /** The change over two consecutive stretches of time: this one's before, the later one's after. */
  public UserChange then(UserChange later) {
    return new UserChange(partnerUserId, before, later.after);
  }

  private static List<String> minus(List<String> from, List<String> taken) {
    List<String> left = new ArrayList<>(from.size());
    for (String value : from) {
      if (!taken.contains(value)) {
        left.add(value);
      }
    }
    return left;
  }
}
