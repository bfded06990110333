package org.dmp.edge.answer;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.dmp.avro.VisitEvent;
import org.dmp.edge.visit.VisitLog.LogPosition;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.Signals;

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
 * those segments, with {@code %rnd%}, {@code %timestamp%} and {@code %did%} expanded.
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
        .map(answer -> answer.profile() == null ? STALE : qualification(answer.profile()));
  }

  private Qualification qualification(JsonObject answer) {
    CompiledTaxonomy current = taxonomy.get();
    List<Long> segments = longs(answer.getJsonArray("segments"));
    List<Qualification.CookieDestination> stuff = new ArrayList<>();
    List<String> dests = new ArrayList<>();
    for (long segment : segments) {
      current
          .destinations()
          .cookies(segment)
          .forEach(
              cookie ->
                  stuff.add(
                      new Qualification.CookieDestination(
                          cookie.cookieName(), cookie.value(), cookie.ttlDays(), cookie.domain())));
      current
          .destinations()
          .urls(segment)
          .forEach(url -> dests.add(expand(url.url(), url.destinationId())));
    }
    return new Qualification(
        stuff,
        dests,
        longs(answer.getJsonArray("traits")),
        segments,
        answer.getBoolean("stale", false));
  }

  private String expand(String url, long destinationId) {
    return url.replace(
            "%rnd%", Long.toString(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE)))
        .replace("%timestamp%", Long.toString(clock.millis()))
        .replace("%did%", Long.toString(destinationId));
  }

  private static List<Long> longs(JsonArray array) {
    List<Long> values = new ArrayList<>();
    if (array != null) {
      array.forEach(value -> values.add(((Number) value).longValue()));
    }
    return values;
  }
}
