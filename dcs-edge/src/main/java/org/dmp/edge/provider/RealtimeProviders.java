package org.dmp.edge.provider;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.circuitbreaker.TimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;
import org.dmp.avro.PartnerId;
import org.dmp.edge.metrics.EdgeMetrics;
import org.dmp.taxonomy.Signals;

/**
 * Audience Manager's inbound real-time integration: while the visitor is on the page, the edge asks
 * each data source that declares an endpoint, and whose partner id the call carries, what it knows
 * of that user, and records the answer with the event.
 *
 * <p>The protocol: {@code POST <url>} with {@code {"dataSourceId", "partnerUserId", "visitorId"}};
 * the provider answers 200 with {@code {"signals": {"key": ["value", ...]}, "traits": [id, ...]}}.
 * A call that misses its deadline, fails, or answers anything else (an answer over {@value
 * #MAX_ANSWER_BYTES} bytes too) is counted as a miss and the hit goes on without it; after repeated
 * failures a provider's circuit opens and it is not called until the reset time has passed.
 */
public final class RealtimeProviders {
  /**
   * @param timeout how long a provider has to answer before the hit goes on without it
   * @param failuresToOpen failures in a row after which a provider is no longer called
   * @param resetAfter how long an open circuit waits before trying the provider again
   */
  public record Settings(Duration timeout, int failuresToOpen, Duration resetAfter) {}

  /** The longest answer read: a hundred signals of a few values each fit many times over. */
  static final int MAX_ANSWER_BYTES = 64 * 1024;

  private static final int MAX_KEYS = 100;
  private static final int MAX_KEY_LENGTH = 255;

  private final Vertx vertx;
  private final WebClient client;
  private final LongFunction<Optional<URI>> endpoints;
  private final Settings settings;
  private final EdgeMetrics metrics;
  private final Map<Long, CircuitBreaker> breakers;

  /**
   * @param endpoints the current endpoint of a data source, if it declares one
   * @param breakers one circuit breaker per data source, shared by every event loop
   */
  public RealtimeProviders(
      Vertx vertx,
      WebClient client,
      LongFunction<Optional<URI>> endpoints,
      Settings settings,
      EdgeMetrics metrics,
      Map<Long, CircuitBreaker> breakers) {
    this.vertx = vertx;
    this.client = client;
    this.endpoints = endpoints;
    this.settings = settings;
    this.metrics = metrics;
    this.breakers = breakers;
  }

  /** A map suitable to share breakers between instances. */
  public static Map<Long, CircuitBreaker> sharedBreakers() {
    return new ConcurrentHashMap<>();
  }

  /** Asks every provider concerned at once; never fails, a miss only leaves its part out. */
  public Future<Enrichment> enrich(List<PartnerId> partnerIds, String visitorId) {
    List<Future<Enrichment>> calls = new ArrayList<>();
    for (PartnerId partnerId : partnerIds) {
      endpoints
          .apply(partnerId.getDataSourceId())
          .ifPresent(url -> calls.add(ask(url, partnerId, visitorId)));
    }
    if (calls.isEmpty()) {
      return Future.succeededFuture(Enrichment.NONE);
    }
    return Future.join(calls).transform(done -> Future.succeededFuture(merge(calls)));
  }

  private Future<Enrichment> ask(URI url, PartnerId partnerId, String visitorId) {
    long dataSourceId = partnerId.getDataSourceId();
    JsonObject question =
        new JsonObject()
            .put("dataSourceId", dataSourceId)
            .put("partnerUserId", partnerId.getPartnerUserId())
            .put("visitorId", visitorId);
    return breaker(dataSourceId)
        .<Enrichment>execute(
            attempt ->
                client
                    .postAbs(url.toString())
                    .timeout(settings.timeout().toMillis())
                    .as(new BoundedBody(MAX_ANSWER_BYTES))
                    .sendJsonObject(question)
                    .map(RealtimeProviders::answer)
                    .onComplete(attempt))
        .recover(
            failure -> {
              metrics.countProviderMiss(dataSourceId, reason(failure));
              return Future.succeededFuture(Enrichment.NONE);
            });
  }

  private CircuitBreaker breaker(long dataSourceId) {
    return breakers.computeIfAbsent(
        dataSourceId,
        id ->
            CircuitBreaker.create(
                "provider-" + id,
                vertx,
                new CircuitBreakerOptions()
                    .setMaxFailures(settings.failuresToOpen())
                    .setTimeout(settings.timeout().toMillis())
                    .setResetTimeout(settings.resetAfter().toMillis())));
  }

  static Enrichment answer(HttpResponse<Buffer> response) {
    if (response.statusCode() != 200) {
      throw new IllegalStateException("status " + response.statusCode());
    }
    JsonObject body;
    try {
      body = response.bodyAsJsonObject();
    } catch (RuntimeException e) {
      throw new InvalidAnswer("not a JSON object");
    }
    if (body == null) {
      throw new InvalidAnswer("empty body");
    }
    return new Enrichment(signals(body.getValue("signals")), traits(body.getValue("traits")));
  }

  private static Map<String, List<String>> signals(Object value) {
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof JsonObject object) || object.size() > MAX_KEYS) {
      throw new InvalidAnswer("signals must be an object of at most " + MAX_KEYS + " keys");
    }
    Map<String, List<String>> signals = new LinkedHashMap<>();
    object.forEach(
        entry -> {
          String key = entry.getKey();
          if (key.isEmpty()
              || key.length() > MAX_KEY_LENGTH
              || key.startsWith("p_")
              || key.startsWith("h_")
              || key.startsWith("d_")) {
            throw new InvalidAnswer("signal key '" + key + "' is not allowed");
          }
          List<String> values = new ArrayList<>();
          if (entry.getValue() instanceof JsonArray array) {
            array.forEach(item -> values.add(String.valueOf(item)));
          } else if (entry.getValue() != null) {
            values.add(String.valueOf(entry.getValue()));
          }
          signals.put(key, values);
        });
    return signals;
  }

  private static List<Long> traits(Object value) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw new InvalidAnswer("traits must be an array of trait ids");
    }
    List<Long> traits = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof Number number) || number.longValue() <= 0) {
        throw new InvalidAnswer("traits must be positive whole numbers");
      }
      traits.add(number.longValue());
    }
    return traits;
  }

  private static Enrichment merge(List<Future<Enrichment>> calls) {
    Map<String, List<String>> signals = new LinkedHashMap<>();
    List<Long> traits = new ArrayList<>();
    for (Future<Enrichment> call : calls) {
      Enrichment enrichment = call.result();
      enrichment.signals().forEach((key, values) -> Signals.append(signals, key, values));
      traits.addAll(enrichment.traits());
    }
    return new Enrichment(signals, traits);
  }

  private static String reason(Throwable failure) {
    if (failure instanceof OpenCircuitException) {
      return "circuit-open";
    }
    if (failure instanceof TimeoutException
        || failure instanceof java.util.concurrent.TimeoutException) {
      return "timeout";
    }
    return failure instanceof InvalidAnswer ? "invalid-answer" : "error";
  }

  /** A provider's 200 answer whose content the edge cannot use. */
  static final class InvalidAnswer extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidAnswer(String reason) {
      super(reason, null, false, false);
    }
  }
}
