package org.dmp.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.dmp.schemas.serde.KnownSchemas;
import org.dmp.schemas.serde.RecordDecodingException;

/**
 * One record as one JSON line: topic, partition, offset, timestamp, key and the value decoded by
 * its schema fingerprint. A value that cannot be decoded is shown with an {@code error} field and
 * its size, so that one bad record never hides the ones after it.
 */
final class RecordJson {
  private RecordJson() {}

  static JsonObject format(ConsumerRecord<byte[], byte[]> record) {
    JsonObject json =
        new JsonObject()
            .put("topic", record.topic())
            .put("partition", record.partition())
            .put("offset", record.offset())
            .put("timestamp", record.timestamp())
            .put(
                "key",
                record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
    byte[] value = record.value();
    if (value == null) {
      return json.putNull("value");
    }
    try {
      json.put("value", new JsonObject(KnownSchemas.toJson(value)));
    } catch (RecordDecodingException | DecodeException e) {
      json.putNull("value").put("error", e.getMessage()).put("valueBytes", value.length);
    }
    return json;
  }

  /** A record of the visits topic that carries only time (see {@code Ticks}). */
  static boolean isTick(JsonObject formatted) {
    JsonObject value = formatted.getJsonObject("value");
    return formatted.getValue("key") == null
        && value != null
        && "TICK".equals(value.getValue("source"));
  }
}
