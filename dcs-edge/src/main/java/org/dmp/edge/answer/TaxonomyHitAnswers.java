package org.dmp.edge.answer;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.dmp.avro.VisitEvent;
import org.dmp.qualifier.taxonomy.CompiledTaxonomy;

/**
 * The edge's answers from the live taxonomy and the qualifier.
 *
 * <p>Private traits: the traits whose rules read p_ keys are evaluated here, the only place p_
 * values exist, and only their ids travel on.
 *
 * <p>Same-hit qualification: once Kafka acknowledged the hit at (partition, offset), the
 * qualifier's query API is asked for the visitor's segments after that offset; it waits up to the
 * deadline and then answers the last known segments marked stale. {@code stuff} and {@code dests}
 * come from the taxonomy's cookie and URL destinations of those segments, with {@code %rnd%},
 * {@code %timestamp%} and {@code %did%} expanded.
 */
public final class TaxonomyHitAnswers implements HitAnswers {
  /** Room for the round trip beyond the qualifier's own wait. */
  private static final Duration NETWORK_ALLOWANCE = Duration.ofMillis(50);

  private final Supplier<CompiledTaxonomy> taxonomy;
  private final WebClient client;
  private final Optional<String> qualifierUrl;
  private final Duration deadline;
  private final Clock clock;

  public TaxonomyHitAnswers(Supplier<CompiledTaxonomy> taxonomy, WebClient client, Optional<String> qualifierUrl, Duration deadline,
      Clock clock) {
    this.taxonomy = taxonomy;
    this.client = client;
    this.qualifierUrl = qualifierUrl;
    this.deadline = deadline;
    this.clock = clock;
  }

  @Override
  public List<Long> privateTraits(Map<String, List<String>> privateSignals, VisitEvent event) {
    if (privateSignals.isEmpty()) {
      return List.of();
    }
    Map<String, List<String>> signals = new HashMap<>(event.getSignals());
    event.getHttpAttributes().forEach((key, value) -> signals.put(key, List.of(value)));
    return List.copyOf(taxonomy.get().realizePrivate(signals, privateSignals, event.getDataSourceId()));
  }

  @Override
  public Future<Qualification> qualify(VisitEvent event, RecordMetadata acknowledged) {
    if (qualifierUrl.isEmpty()) {
      return Future.succeededFuture(Qualification.NONE);
    }
    String uri = qualifierUrl.get() + "/segments/" + event.getVisitorId() + "?partition=" + acknowledged.partition()
        + "&offset=" + acknowledged.offset() + "&wait=" + deadline.toMillis();
    return client.getAbs(uri).timeout(deadline.plus(NETWORK_ALLOWANCE).toMillis()).send()
        .map(response -> {
          if (response.statusCode() != 200) {
            throw new IllegalStateException("the qualifier answered " + response.statusCode());
          }
          return qualification(response.bodyAsJsonObject());
        })
        .recover(failure -> Future.succeededFuture(new Qualification(List.of(), List.of(), List.of(), List.of(), true)));
  }

  private Qualification qualification(JsonObject answer) {
    CompiledTaxonomy current = taxonomy.get();
    List<Long> segments = longs(answer.getJsonArray("segments"));
    List<Qualification.CookieDestination> stuff = new ArrayList<>();
    List<String> dests = new ArrayList<>();
    for (long segment : segments) {
      current.cookieDestinations(segment).forEach(cookie ->
          stuff.add(new Qualification.CookieDestination(cookie.cookieName(), cookie.value(), cookie.ttlDays(), cookie.domain())));
      current.urlDestinations(segment).forEach(url -> dests.add(expand(url.url(), url.destinationId())));
    }
    return new Qualification(stuff, dests, longs(answer.getJsonArray("traits")), segments, answer.getBoolean("stale", false));
  }

  private String expand(String url, long destinationId) {
    return url.replace("%rnd%", Long.toString(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE)))
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
