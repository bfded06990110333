package org.dmp.edge.answer;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.dmp.avro.VisitEvent;
import org.dmp.edge.visit.VisitLog.LogPosition;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.Signals;
import org.dmp.taxonomy.UrlMacros;

/**
 * The edge's answers from the live taxonomy and the qualifier.
 *
 * <p>Private traits: the traits whose rules read p_ keys are evaluated here, the only place p_
 * values exist, and only their ids travel on.
 *
 * <p>Same-hit qualification: once Kafka acknowledged the hit at (partition, offset), the
 * qualifier's query API is asked for the visitor's segments after that offset ({@link
 * QualifierQuestions}); past the deadline the answer is the last known segments, or none, marked
 * stale. {@code stuff} and {@code dests} come from the taxonomy's cookie and URL destinations of
 * those segments, with Audience Manager's URL macros expanded ({@link UrlMacros}).
 */
public final class TaxonomyHitAnswers implements HitAnswers {
  private static final Qualification STALE =
      new Qualification(List.of(), List.of(), List.of(), List.of(), true);

  private final Supplier<CompiledTaxonomy> taxonomy;
  private final Optional<QualifierQuestions> questions;
  private final Clock clock;

  /**
   * @param questions how the qualifier is asked; none: answers carry no segments
   */
  public TaxonomyHitAnswers(
      Supplier<CompiledTaxonomy> taxonomy, Optional<QualifierQuestions> questions, Clock clock) {
    this.taxonomy = taxonomy;
    this.questions = questions;
    this.clock = clock;
  }

  @Override
  public List<Long> privateTraits(Map<String, List<String>> privateSignals, VisitEvent event) {
    if (privateSignals.isEmpty()) {
      return List.of();
    }
    return List.copyOf(
        taxonomy
            .get()
            .traits()
            .realizePrivate(Signals.of(event), privateSignals, event.getTargetDataSourceId()));
  }

  @Override
  public Future<Qualification> qualify(VisitEvent event, LogPosition logged) {
    if (questions.isEmpty()) {
      return Future.succeededFuture(Qualification.NONE);
    }
    return questions
        .get()
        .ask(event.getVisitorId(), logged.partition(), logged.offset())
        .map(answer -> answer.profile() == null ? STALE : qualification(answer.profile(), event));
  }

  private Qualification qualification(JsonObject answer, VisitEvent event) {
    CompiledTaxonomy current = taxonomy.get();
    List<Long> segments = longs(answer.getJsonArray("segments"));
    List<Qualification.CookieDestination> stuff =
        current.destinations().cookies(segments).stream()
            .map(
                cookie ->
                    new Qualification.CookieDestination(
                        cookie.cookieName(), cookie.value(), cookie.ttlDays(), cookie.domain()))
            .toList();
    List<Qualification.UrlDestination> dests = new ArrayList<>();
    for (long segment : segments) {
      current
          .destinations()
          .urls(segment)
          .forEach(
              url ->
                  dests.add(
                      new Qualification.UrlDestination(
                          url.destinationId(), expand(url.url(), event, url.alias()))));
    }
    return new Qualification(
        stuff,
        dests,
        longs(answer.getJsonArray("traits")),
        segments,
        answer.getBoolean("stale", false));
  }

  private String expand(String url, VisitEvent event, String alias) {
    return UrlMacros.expand(url, macroValues(event, clock.millis()), alias);
  }

  /** What the URL macros stand for in the answer to {@code event}. */
  static UrlMacros.Values macroValues(VisitEvent event, long millis) {
    return UrlMacros.Values.of(
        event.getVisitorId(),
        event.getRegion(),
        event.getHttpAttributes().get("h_referer"),
        event.getPartnerIds(),
        firstSignal(event, "gdpr"),
        firstSignal(event, "gdpr_consent"),
        millis);
  }

  /** A signal as the call gave it, or as an ID sync recorded it ({@code d_} prefixed). */
  private static String firstSignal(VisitEvent event, String key) {
    List<String> values = event.getSignals().get(key);
    if (values == null) {
      values = event.getSignals().get("d_" + key);
    }
    return values == null || values.isEmpty() ? "" : values.get(0);
  }

  private static List<Long> longs(JsonArray array) {
    List<Long> values = new ArrayList<>();
    if (array != null) {
      array.forEach(value -> values.add(((Number) value).longValue()));
    }
    return values;
  }
}
