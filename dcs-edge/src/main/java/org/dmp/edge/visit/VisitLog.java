package org.dmp.edge.visit;

import io.vertx.core.Future;
import org.dmp.avro.VisitEvent;

/**
 * Where the edge records visit events: the event log, {@code dmp.visits}. A call is answered only
 * once its event is in the log, so an edge that answers 2xx never loses it.
 */
public interface VisitLog {
  /**
   * Appends the event, keyed by its visitor; completes on the calling context once the log holds
   * it, or fails with {@link org.dmp.edge.http.Unavailable} when the log cannot take it now.
   */
  Future<LogPosition> append(VisitEvent event);

  /** Where an appended event sits: the qualifier is asked about the visitor after this position. */
  record LogPosition(int partition, long offset) {}
}
