package org.dmp.sync.destination;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * How one destination is doing, for {@code /destinations}.
 *
 * @param state UP (delivering, or nothing to do), RETRYING (the partner is failing; its changes
 *     wait), or FAILED (cannot run)
 * @param files a batch destination's latest files (see {@link DestinationChannel#recentFiles()});
 *     null for the others
 */
public record DestinationStatus(
    long id,
    String name,
    String type,
    String state,
    String detail,
    DestinationMeters.Counts counts,
    JsonArray files) {
  public static final String UP = "UP";
  public static final String RETRYING = "RETRYING";
  public static final String FAILED = "FAILED";

  /** A destination's type as the taxonomy file spells it. */
  public static String typeOf(org.dmp.avro.Destination destination) {
    return destination.getType().name().toLowerCase(java.util.Locale.ROOT);
  }

  public boolean healthy() {
    return state.equals(UP);
  }

  public JsonObject toJson() {
    JsonObject json =
        new JsonObject().put("id", id).put("name", name).put("type", type).put("state", state);
    if (detail != null) {
      json.put("detail", detail);
    }
    if (files != null) {
      json.put("files", files);
    }
    if (counts != null) {
      json.put("delivered", counts.delivered())
          .put("retried", counts.retried())
          .put("deadLettered", counts.deadLettered())
          .put("noPartnerId", counts.noPartnerId())
          .put("lag", counts.lag());
      DestinationMeters.Latency latency = counts.latency();
      JsonArray buckets = new JsonArray();
      for (double[] bucket : latency.buckets()) {
        buckets.add(new JsonArray().add(bucket[0]).add((long) bucket[1]));
      }
      json.put(
          "latency",
          new JsonObject()
              .put("count", latency.count())
              .put("meanMs", latency.meanMs())
              .put("maxMs", latency.maxMs())
              .put("buckets", buckets));
    }
    return json;
  }
}
