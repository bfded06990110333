package org.dmp.edge.answer;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import org.dmp.avro.VisitEvent;
import org.dmp.edge.visit.VisitLog.LogPosition;

/**
 * The seam between the edge and qualification: what the JSON answer to a hit carries, and which
 * traits the hit's private ({@code p_}) signals realize.
 *
 * <p>{@code p_} values never leave the edge's memory: they are handed to {@link #privateTraits}
 * while the call is answered, and only the trait ids they realize are recorded on the event. {@link
 * TaxonomyHitAnswers} is the edge's.
 */
public interface HitAnswers {
  /** Trait ids realized by rules over this hit's private signals (and its other signals). */
  List<Long> privateTraits(Map<String, List<String>> privateSignals, VisitEvent event);

  /**
   * The visitor's qualification once the event at {@code acknowledged} is processed; never fails.
   */
  Future<Qualification> qualify(VisitEvent event, LogPosition logged);
}
