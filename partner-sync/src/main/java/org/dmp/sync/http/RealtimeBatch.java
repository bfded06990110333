package org.dmp.sync.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
   * The body: one user per visitor, with each mapped segment's latest status in the batch, so a
   * segment entered and left within the batch goes as left.
   */
  public byte[] body(long destinationId, long dataSourceId, String clientId, Instant processTime) {
    Map<String, JsonObject> users = new LinkedHashMap<>();
    Map<String, Map<String, JsonObject>> segmentsByUser = new LinkedHashMap<>();
    for (PartnerChange change : changes) {
      users.computeIfAbsent(
          change.visitorId(),
          visitor ->
              new JsonObject()
                  .put("AAM_UUID", visitor)
                  .put("DataPartner_UUID", change.partnerUserId())
                  .put("AAM_Regions", new JsonArray().add("0")));
      Map<String, JsonObject> segments =
          segmentsByUser.computeIfAbsent(change.visitorId(), visitor -> new LinkedHashMap<>());
      String time = AAM_TIME.format(change.time());
      change.added().forEach(value -> segments.put(value, segment(value, "1", time)));
      change.removed().forEach(value -> segments.put(value, segment(value, "0", time)));
    }
    JsonArray userArray = new JsonArray();
    users.forEach(
        (visitor, user) ->
            userArray.add(
                user.put(
                    "Segments",
                    new JsonArray(new ArrayList<>(segmentsByUser.get(visitor).values())))));
    return new JsonObject()
        .put("ProcessTime", AAM_TIME.format(processTime))
        .put("User_DPID", Long.toString(dataSourceId))
        .put("Client_ID", clientId == null ? "" : clientId)
        .put("AAM_Destination_Id", Long.toString(destinationId))
        .put("User_count", Integer.toString(users.size()))
        .put("Users", userArray)
        .encode()
        .getBytes(StandardCharsets.UTF_8);
  }

  private static JsonObject segment(String value, String status, String time) {
    return new JsonObject().put("Segment_ID", value).put("Status", status).put("DateTime", time);
  }
}
