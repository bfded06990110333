package org.dmp.schemas;

import java.time.Instant;
import org.dmp.avro.EventSource;
import org.dmp.avro.VisitEvent;

/**
 * Records on the visits topic that carry only time. Stream time advances only with records, so a
 * partition nobody calls on would otherwise never see a visitor leave a segment; since ticks are in
 * the log, a replay sees the same time as live processing did.
 */
public final class Ticks {
  private Ticks() {}

  /** A tick at {@code time}; it names no visitor and is written with a null key. */
  public static VisitEvent at(Instant time) {
    return VisitEvent.newBuilder()
        .setEventId("tick")
        .setVisitorId("")
        .setTime(time)
        .setSource(EventSource.TICK)
        .build();
  }

  public static boolean isTick(VisitEvent event) {
    return event != null && event.getSource() == EventSource.TICK;
  }
}
