package org.dmp.cli.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dmp.runtime.OperatorToken;
import org.dmp.runtime.StageLatency;

/**
 * Where a step's delivery time went: the services' {@code dmp_stage_latency_seconds} histograms
 * read from their {@code /metrics} before and after the step, and the difference turned into a mean
 * and a p99 per stage, each from the tag hit. What an operator would read off a dashboard.
 */
final class StageBreakdown {
  private static final List<String> STAGES =
      List.of(
          StageLatency.EDGE_ACKNOWLEDGED,
          StageLatency.QUALIFIER_PROCESSED,
          StageLatency.UPDATE_READ,
          StageLatency.PARTNER_ACKNOWLEDGED);
  private static final Pattern SAMPLE =
      Pattern.compile("^dmp_stage_latency_seconds_(bucket|sum|count)\\{([^}]*)\\} (\\S+)$");
  private static final Pattern STAGE = Pattern.compile("stage=\"([a-z_]+)\"");
  private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final List<URI> metrics;
  private final OperatorToken operator;

  /**
   * @param services the base URLs of the services whose {@code /metrics} to read
   * @param operator the token their {@code /metrics} require
   */
  StageBreakdown(List<URI> services, OperatorToken operator) {
    this.metrics = services.stream().map(service -> service.resolve("/metrics")).toList();
    this.operator = operator;
  }

  /** The stages' histograms now, summed over the services and over any other tags. */
  Snapshot snapshot() throws InterruptedException {
    Map<String, Stage> stages = new LinkedHashMap<>();
    for (URI uri : metrics) {
      String body;
      try {
        body =
            client
                .send(
                    HttpRequest.newBuilder(uri)
                        .header("Authorization", operator.authorization())
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
      } catch (IOException unreachable) {
        continue; // a breakdown with a stage missing, not a failed benchmark
      }
      body.lines().forEach(line -> add(stages, line));
    }
    return new Snapshot(stages);
  }

  private static void add(Map<String, Stage> stages, String line) {
    Matcher sample = SAMPLE.matcher(line);
    if (!sample.matches()) {
      return;
    }
    Matcher stageName = STAGE.matcher(sample.group(2));
    if (!stageName.find()) {
      return;
    }
    Stage stage = stages.computeIfAbsent(stageName.group(1), any -> new Stage());
    double value = Double.parseDouble(sample.group(3));
    switch (sample.group(1)) {
      case "sum" -> stage.seconds += value;
      case "count" -> stage.count += value;
      default -> {
        Matcher le = LE.matcher(sample.group(2));
        if (le.find()) {
          stage.cumulative.merge(
              Double.parseDouble(le.group(1).replace("+Inf", "Infinity")), value, Double::sum);
        }
      }
    }
  }

  /** The histograms of every stage at one moment. */
  static final class Snapshot {
    private final Map<String, Stage> stages;

    private Snapshot(Map<String, Stage> stages) {
      this.stages = stages;
    }

    /**
     * Mean and p99 in milliseconds of each stage for what happened between {@code before} and this.
     */
    JsonObject since(Snapshot before) {
      JsonObject breakdown = new JsonObject();
      for (String name : STAGES) {
        Stage now = stages.getOrDefault(name, new Stage());
        Stage then = before.stages.getOrDefault(name, new Stage());
        double count = now.count - then.count;
        if (count > 0) {
          breakdown.put(
              name,
              new JsonObject()
                  .put("mean_ms", round((now.seconds - then.seconds) / count * 1000))
                  .put("p99_ms", round(now.upperBoundAt(then, 0.99 * count) * 1000)));
        }
      }
      return breakdown;
    }
  }

  /** One stage's histogram: cumulative bucket counts by upper bound, in seconds. */
  private static final class Stage {
    double seconds;
    double count;
    final TreeMap<Double, Double> cumulative = new TreeMap<>();

    /**
     * The smallest bucket bound under which {@code rank} of the observations since {@code before}
     * fall.
     */
    double upperBoundAt(Stage before, double rank) {
      for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
        double since = bucket.getValue() - before.cumulative.getOrDefault(bucket.getKey(), 0.0);
        if (since >= rank) {
          return bucket.getKey();
        }
      }
      return Double.POSITIVE_INFINITY;
    }
  }

  private static double round(double millis) {
    return Double.isInfinite(millis) ? -1 : Math.round(millis * 10) / 10.0;
  }

  /** One line for a step: each stage's mean and p99. */
  static String line(JsonObject breakdown) {
    StringBuilder line = new StringBuilder("  stages from the hit, mean/p99 ms:");
    breakdown.forEach(
        stage -> {
          JsonObject figures = (JsonObject) stage.getValue();
          line.append(' ')
              .append(stage.getKey())
              .append(' ')
              .append(figures.getDouble("mean_ms"))
              .append('/')
              .append(figures.getDouble("p99_ms"));
        });
    return line.toString();
  }
}
