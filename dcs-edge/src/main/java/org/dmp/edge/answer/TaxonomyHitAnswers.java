package org.dmp.edge.answer;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * those segments, with Audience Manager's macros {@code %rnd%}, {@code %timestamp%}, {@code %did%}
 * (the visitor's id) and {@code %region%} expanded, matched without regard to case.
 */
public final class TaxonomyHitAnswers implements HitAnswers {
  private static final Pattern MACRO =
      Pattern.compile("%(rnd|timestamp|did|region)%", Pattern.CASE_INSENSITIVE);
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
    List<Qualification.CookieDestination> stuff = new ArrayList<>();
    List<Qualification.UrlDestination> dests = new ArrayList<>();
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
          .forEach(
              url ->
                  dests.add(
                      new Qualification.UrlDestination(
                          url.destinationId(), expand(url.url(), event))));
    }
    return new Qualification(
        stuff,
        dests,
        longs(answer.getJsonArray("traits")),
        segments,
        answer.getBoolean("stale", false));
  }

  private String expand(String url, VisitEvent event) {
    return MACRO
        .matcher(url)
        .replaceAll(
            macro ->
                Matcher.quoteReplacement(
                    switch (macro.group(1).toLowerCase(Locale.ROOT)) {
                      case "rnd" ->
                          Long.toString(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
                      case "timestamp" -> Long.toString(clock.millis());
                      case "did" -> event.getVisitorId();
                      case "region" -> Integer.toString(event.getRegion());
                      default -> macro.group();
                    }));
  }

  private static List<Long> longs(JsonArray array) {
    List<Long> values = new ArrayList<>();
    if (array != null) {
      array.forEach(value -> values.add(((Number) value).longValue()));
    }
    return values;
  }
}
