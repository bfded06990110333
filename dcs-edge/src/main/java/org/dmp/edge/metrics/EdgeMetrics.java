package org.dmp.edge.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.dmp.runtime.StageLatency;

/**
 * The edge's metrics, scraped in Prometheus format from {@code /metrics}. Shared by every event
 * loop.
 */
public final class EdgeMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Timer produceLatency =
      Timer.builder("dmp_edge_produce_latency")
          .description("Time from sending an event to Kafka's acknowledgement")
          .publishPercentileHistogram()
          .register(registry);

  private final StageLatency acknowledged =
      new StageLatency(registry, StageLatency.EDGE_ACKNOWLEDGED, Tags.empty());
  private final Map<String, Map<Integer, Counter>> requests = new ConcurrentHashMap<>();
  private final Map<String, Counter> answers = new ConcurrentHashMap<>();
  private final Timer answerLatency =
      Timer.builder("dmp_edge_answer_latency")
          .description(
              "Time from Kafka's acknowledgement of a d_rtbd=json hit to the qualifier's answer (or giving up on it)")
          .publishPercentileHistogram()
          .register(registry);

  public EdgeMetrics() {
    for (String outcome : new String[] {"fresh", "stale", "failed"}) {
      answers.put(
          outcome,
          Counter.builder("dmp_edge_answers")
              .description(
                  "Same-hit answers: fresh, stale (not processed in time, "
                      + "or too many questions out) or failed (the qualifier could not be asked)")
              .tag("outcome", outcome)
              .register(registry));
    }
  }

  /**
   * @param outcome fresh, stale or failed
   */
  public void recordAnswer(String outcome, Duration latency) {
    answers.get(outcome).increment();
    answerLatency.record(latency);
  }

  public void countRequest(String endpoint, int status) {
    // Looked up in maps of our own: building and registering a meter on every request costs more
    // than the request.
    requests
        .computeIfAbsent(endpoint, key -> new ConcurrentHashMap<>())
        .computeIfAbsent(
            status,
            key ->
                Counter.builder("dmp_edge_requests")
                    .description("Answered requests by endpoint and status")
                    .tag("endpoint", endpoint)
                    .tag("status", Integer.toString(status))
                    .register(registry))
        .increment();
  }

  /**
   * @param hitMillis the event's time: when the edge received the hit
   */
  public void recordProduce(Duration latency, long hitMillis) {
    produceLatency.record(latency);
    acknowledged.reached(hitMillis);
  }

  public void countProviderMiss(long dataSourceId, String reason) {
    Counter.builder("dmp_edge_provider_misses")
        .description("Real-time provider calls that brought nothing, by reason")
        .tag("data_source", Long.toString(dataSourceId))
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  public void gaugeInFlight(Supplier<Number> inFlight) {
    Gauge.builder("dmp_edge_events_in_flight", inFlight)
        .description("Events sent to Kafka and not yet acknowledged")
        .register(registry);
  }

  /** The text for {@code /metrics}. */
  public String scrape() {
    return registry.scrape();
  }
}
