package org.dmp.kafka.embedded;

import java.util.concurrent.atomic.AtomicLong;

/** Topic and group names no other test in this JVM, or an earlier run on the same broker, uses. */
public final class UniqueNames {
  private static final AtomicLong SEQUENCE = new AtomicLong();
  private static final String RUN = Long.toString(System.currentTimeMillis(), 36);

  private UniqueNames() {}

  public static String topic(String purpose) {
    return "test." + purpose + "." + RUN + "." + SEQUENCE.incrementAndGet();
  }

  public static String group(String purpose) {
    return "test-" + purpose + "-" + RUN + "-" + SEQUENCE.incrementAndGet();
  }
}
