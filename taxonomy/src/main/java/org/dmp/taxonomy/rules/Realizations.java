package org.dmp.taxonomy.rules;

import java.time.Duration;
import java.time.Instant;

/** A visitor's trait realizations, as segment rules ask about them. */
public interface Realizations {
  /**
   * How many realizations of any of {@code traitIds} count at {@code now}: within their trait's
   * TTL, and with an age inside {@code window}.
   */
  int count(long[] traitIds, Window window, Instant now);

  /** No realizations at all: what a visitor who never realized a trait looks like. */
  Realizations NONE = (traitIds, window, now) -> 0;

  /** A recency window on the age of realizations ({@code <= nD} or {@code >= nD}), or none. */
  record Window(Duration atLeast, Duration atMost) {
    public static final Window ANY = new Window(Duration.ZERO, null);

    public boolean contains(Duration age) {
      return age.compareTo(atLeast) >= 0 && (atMost == null || age.compareTo(atMost) <= 0);
    }

    /** {@link #contains} for an age in milliseconds (windows are whole days). */
    public boolean containsMillis(long ageMillis) {
      return ageMillis >= atLeast.toMillis() && (atMost == null || ageMillis <= atMost.toMillis());
    }
  }
}
