package org.dmp.console.replay;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.dmp.avro.ReplayDifference;
import org.dmp.avro.ReplayRun;
import org.dmp.avro.SegmentDifference;
import org.dmp.console.access.JsonError;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.runtime.replay.ReplayRuns;
import org.dmp.schemas.topics.Topics;

/**
 * Replay runs as {@code dmp replay list} shows them: {@code GET /api/replay/runs} (newest first,
 * each with its summary per segment) and {@code GET /api/replay/runs/<run>} (the run and a sample
 * of its differences, from the run's own topic). Read from the topics on a worker thread.
 */
public final class ReplayApi {
  private static final int SAMPLES = 50;

  private final Vertx vertx;
  private final KafkaClients kafka;
  private final Topics topics;
  private final Supplier<JsonObject> taxonomy;

  /**
   * @param taxonomy the taxonomy file in force, for segment names
   */
  public ReplayApi(Vertx vertx, KafkaClients kafka, Topics topics, Supplier<JsonObject> taxonomy) {
    this.vertx = vertx;
    this.kafka = kafka;
    this.topics = topics;
    this.taxonomy = taxonomy;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("listReplayRuns").addHandler(this::runs);
    builder.getRoute("getReplayRun").addHandler(this::run);
  }

  private void runs(RoutingContext context) {
    vertx
        .executeBlocking(() -> ReplayRuns.all(kafka, topics), false)
        .onSuccess(
            runs -> {
              Map<Long, String> names = segmentNames();
              JsonArray answer = new JsonArray();
              runs.values().stream()
                  .sorted(Comparator.comparing(ReplayRun::getCreatedAt).reversed())
                  .forEach(run -> answer.add(json(run, names)));
              context.json(answer);
            })
        .onFailure(failure -> JsonError.send(context, 503, "the runs topic: " + failure));
  }

  private void run(RoutingContext context) {
    String id = context.pathParam("run");
    vertx
        .executeBlocking(
            () -> {
              ReplayRun run = ReplayRuns.all(kafka, topics).get(id);
              return run == null
                  ? null
                  : Map.entry(run, ReplayRuns.differences(kafka, topics, run));
            },
            false)
        .onSuccess(
            found -> {
              if (found == null) {
                JsonError.send(context, 404, "no replay run " + id);
                return;
              }
              Map<Long, String> names = segmentNames();
              JsonArray samples = new JsonArray();
              found.getValue().values().stream()
                  .limit(SAMPLES)
                  .forEach(difference -> samples.add(json(difference)));
              context.json(
                  json(found.getKey(), names)
                      .put("differences", found.getValue().size())
                      .put("samples", samples));
            })
        .onFailure(failure -> JsonError.send(context, 503, "the run's topics: " + failure));
  }

  private Map<Long, String> segmentNames() {
    Map<Long, String> names = new HashMap<>();
    JsonArray segments = taxonomy.get().getJsonArray("segments", new JsonArray());
    for (int index = 0; index < segments.size(); index++) {
      JsonObject segment = segments.getJsonObject(index);
      names.put(segment.getLong("id"), segment.getString("name"));
    }
    return names;
  }

  private static JsonObject json(ReplayRun run, Map<Long, String> names) {
    JsonArray summary = new JsonArray();
    for (SegmentDifference segment : run.getSummary()) {
      summary.add(
          new JsonObject()
              .put("segment", segment.getSegment())
              .put("name", names.getOrDefault(segment.getSegment(), ""))
              .put("joins", segment.getJoins())
              .put("leaves", segment.getLeaves())
              .put("stays", segment.getStays()));
    }
    return new JsonObject()
        .put("run", run.getRun().toString())
        .put("state", run.getState().name())
        .put("createdAt", text(run.getCreatedAt()))
        .put("updatedAt", text(run.getUpdatedAt()))
        .put("from", text(run.getFrom()))
        .put("to", text(run.getTo()))
        .put("taxonomy", run.getTaxonomy().toString())
        .put("taxonomyRevision", run.getTaxonomyRevision())
        .put("eventsRead", run.getEventsRead())
        .put("recordsSkipped", run.getRecordsSkipped())
        .put("visitorsCompared", run.getVisitorsCompared())
        .put("summary", summary)
        .put("appliedAt", text(run.getAppliedAt()))
        .put("corrections", run.getCorrections())
        .put("detail", run.getDetail() == null ? null : run.getDetail().toString());
  }

  private static JsonObject json(ReplayDifference difference) {
    return new JsonObject()
        .put("visitorId", difference.getVisitorId().toString())
        .put("joined", new JsonArray(java.util.List.copyOf(difference.getJoined())))
        .put("left", new JsonArray(java.util.List.copyOf(difference.getLeft())))
        .put("segments", new JsonArray(java.util.List.copyOf(difference.getSegments())));
  }

  private static String text(Instant time) {
    return time == null ? null : time.toString();
  }
}
