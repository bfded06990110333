package org.dmp.sync.batch;

import java.time.Duration;
import java.time.Instant;

/**
 * Windows of a fixed length aligned to UTC: PT24H windows run from midnight to midnight UTC, PT1H
 * ones from hour to hour.
 */
public record Windows(Duration interval) {
  public Windows {
    if (interval.toMillis() < 1) {
      throw new IllegalArgumentException("a window lasts at least a millisecond, not " + interval);
    }
  }

  /** The end of the window holding {@code time}: the first boundary after it. */
  public Instant endOf(Instant time) {
    long length = interval.toMillis();
    return Instant.ofEpochMilli(Math.floorDiv(time.toEpochMilli(), length) * length + length);
  }

  public Instant startOf(Instant windowEnd) {
    return windowEnd.minus(interval);
  }
}
