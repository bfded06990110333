package org.dmp.sync.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.dmp.sync.destination.PartnerChange;

/**
 * One POST to an http destination: the changes read from offsets {@code start..end} of one
 * partition, as Audience Manager's real-time JSON. Its idempotency key is made of the destination,
 * partition and offsets alone, so the batch re-formed after a crash carries the same key.
 */
public final class RealtimeBatch {
  private static final DateTimeFormatter AAM_TIME =
      DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss 'UTC' yyyy", Locale.ENGLISH)
          .withZone(ZoneOffset.UTC);

  private static final String UNKNOWN_REGION = "0";

  private final TopicPartition partition;
  private final long start;
  private final long end;
  private final List<PartnerChange> changes;
  private final String idempotencyKey;
  private final List<String> visitorIds;

  RealtimeBatch(
      long destinationId,
      TopicPartition partition,
      long start,
      long end,
      List<PartnerChange> changes) {
    this.partition = partition;
    this.start = start;
    this.end = end;
    this.changes = List.copyOf(changes);
    this.idempotencyKey = destinationId + "-" + partition.partition() + "-" + start + "-" + end;
    this.visitorIds = this.changes.stream().map(PartnerChange::visitorId).distinct().toList();
  }

  public TopicPartition partition() {
    return partition;
  }

  public long start() {
    return start;
  }

  /**
   * The last offset the batch covers: every change before it on its partition is in it or an
   * earlier batch.
   */
  public long end() {
    return end;
  }

  public List<PartnerChange> changes() {
    return changes;
  }

  public String idempotencyKey() {
    return idempotencyKey;
  }

  /** The visitors in the batch, each once, in the order first seen. */
  public List<String> visitorIds() {
    return visitorIds;
  }

  /**
   * The body: one user per visitor, as Audience Manager's real-time messages carry them: every
   * segment the user is in after the batch's last change (status 1), then those mentioned in the
   * batch that the user is no longer in (status 0), all at the time of the user's last change; the
   * regions the visitor was last seen in, or {@code "0"} when none is known.
   */
  public byte[] body(long destinationId, long dataSourceId, String clientId, Instant processTime) {
    Map<String, PartnerChange> latest = new LinkedHashMap<>();
    Map<String, Set<String>> mentioned = new LinkedHashMap<>();
    for (PartnerChange change : changes) {
      latest.put(change.visitorId(), change);
      Set<String> values =
          mentioned.computeIfAbsent(change.visitorId(), v -> new LinkedHashSet<>());
      values.addAll(change.user().before());
      values.addAll(change.user().after());
    }
    JsonArray users = new JsonArray();
    latest.forEach(
        (visitor, last) -> {
          String time = AAM_TIME.format(last.time());
          JsonArray segments = new JsonArray();
          last.user().after().forEach(value -> segments.add(segment(value, "1", time)));
          mentioned.get(visitor).stream()
              .filter(value -> !last.user().after().contains(value))
              .forEach(value -> segments.add(segment(value, "0", time)));
          JsonArray regions = new JsonArray();
          last.regions().forEach(region -> regions.add(Integer.toString(region)));
          if (regions.isEmpty()) {
            regions.add(UNKNOWN_REGION);
          }
          users.add(
              new JsonObject()
                  .put("AAM_UUID", visitor)
                  .put("DataPartner_UUID", last.partnerUserId())
                  .put("AAM_Regions", regions)
                  .put("Segments", segments));
        });
    return new JsonObject()
        .put("ProcessTime", AAM_TIME.format(processTime))
        .put("User_DPID", Long.toString(dataSourceId))
        .put("Client_ID", clientId == null ? "" : clientId)
        .put("AAM_Destination_Id", Long.toString(destinationId))
        .put("User_count", Integer.toString(users.size()))
        .put("Users", users)
        .encode()
        .getBytes(StandardCharsets.UTF_8);
  }

  private static JsonObject segment(String value, String status, String time) {
    return new JsonObject().put("Segment_ID", value).put("Status", status).put("DateTime", time);
  }
}
