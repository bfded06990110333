package org.dmp.taxonomy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import org.dmp.avro.BatchTarget;
import org.dmp.avro.CookieTarget;
import org.dmp.avro.DataSource;
import org.dmp.avro.Destination;
import org.dmp.avro.HttpTarget;
import org.dmp.avro.Segment;
import org.dmp.avro.Signing;
import org.dmp.avro.Trait;

/**
 * A taxonomy as the taxonomy file writes it: what {@link TaxonomyFile} reads, so that reading what
 * this writes gives the same taxonomy. It lets a taxonomy that arrived as records, which anyone who
 * can write to the topic could have made, be checked by the file's own rules.
 */
public final class TaxonomyJson {
  private TaxonomyJson() {}

  public static JsonObject write(Taxonomy taxonomy) {
    JsonObject file = new JsonObject();
    file.put(
        "dataSources",
        new JsonArray(taxonomy.dataSources().stream().map(TaxonomyJson::dataSource).toList()));
    file.put("traits", new JsonArray(taxonomy.traits().stream().map(TaxonomyJson::trait).toList()));
    file.put(
        "segments",
        new JsonArray(taxonomy.segments().stream().map(TaxonomyJson::segment).toList()));
    file.put(
        "destinations",
        new JsonArray(taxonomy.destinations().stream().map(TaxonomyJson::destination).toList()));
    return file;
  }

  static JsonObject dataSource(DataSource dataSource) {
    JsonObject json =
        new JsonObject().put("id", dataSource.getId()).put("name", dataSource.getName());
    if (dataSource.getProvider() != null) {
      json.put("provider", new JsonObject().put("url", dataSource.getProvider().getUrl()));
    }
    putIfSet(json, "integrationCode", dataSource.getIntegrationCode());
    if (dataSource.getIdSync() != null) {
      json.put(
          "idSync",
          new JsonObject()
              .put("url", dataSource.getIdSync().getUrl())
              .put("ttlDays", dataSource.getIdSync().getTtlDays()));
    }
    json.put("inboundIds", lower(dataSource.getInboundIds()));
    if (!dataSource.getRedirectHosts().isEmpty()) {
      json.put("redirectHosts", new JsonArray(dataSource.getRedirectHosts()));
    }
    return json;
  }

  static JsonObject trait(Trait trait) {
    JsonObject json = new JsonObject().put("id", trait.getId()).put("name", trait.getName());
    putIfSet(json, "folder", trait.getFolder());
    json.put("dataSource", trait.getDataSourceId()).put("type", lower(trait.getType()));
    putIfSet(json, "rule", trait.getRule());
    return json.put("ttlDays", trait.getTtlDays());
  }

  static JsonObject segment(Segment segment) {
    JsonObject json = new JsonObject().put("id", segment.getId()).put("name", segment.getName());
    putIfSet(json, "folder", segment.getFolder());
    return json.put("rule", segment.getRule());
  }

  static JsonObject destination(Destination destination) {
    JsonObject json =
        new JsonObject()
            .put("id", destination.getId())
            .put("name", destination.getName())
            .put("type", lower(destination.getType()));
    putIfSet(json, "dataSource", destination.getDataSourceId());
    json.put("mappings", new JsonObject(new java.util.LinkedHashMap<>(destination.getMappings())));
    switch (destination.getType()) {
      case HTTP -> http(json, destination.getHttp());
      case BATCH -> batch(json, destination.getBatch());
      case COOKIE -> cookie(json, destination.getCookie());
      case KAFKA ->
          json.put(
              "topic", destination.getKafka() == null ? "" : destination.getKafka().getTopic());
      case URL -> putIfSet(json, "url", destination.getUrlTemplate());
    }
    return json;
  }

  private static void http(JsonObject json, HttpTarget http) {
    if (http == null) {
      return;
    }
    json.put("url", http.getUrl());
    putIfSet(json, "clientId", http.getClientId());
    Signing signing = http.getSigning();
    if (signing != null) {
      json.put(
          "signing",
          new JsonObject()
              .put("algorithm", signing.getAlgorithm())
              .put("header", signing.getHeader())
              .put("secretEnv", signing.getSecretEnv()));
    }
  }

  private static void batch(JsonObject json, BatchTarget batch) {
    if (batch == null) {
      return;
    }
    json.put("interval", batch.getInterval())
        .put("mode", lower(batch.getMode()))
        .put("outbox", batch.getOutbox())
        .put("syncType", batch.getSyncType());
    putIfSet(json, "pidAlias", batch.getPidAlias());
    json.put("gzip", batch.getGzip()).put("splitLines", batch.getSplitLines());
    putIfSet(json, "uploadUrl", batch.getUploadUrl());
  }

  private static void cookie(JsonObject json, CookieTarget cookie) {
    if (cookie == null) {
      return;
    }
    json.put("cookieName", cookie.getCookieName());
    putIfSet(json, "domain", cookie.getDomain());
    json.put("ttlDays", cookie.getTtlDays())
        .put("pairDelimiter", cookie.getPairDelimiter())
        .put("keyValueDelimiter", cookie.getKeyValueDelimiter());
    putIfSet(json, "serialDelimiter", cookie.getSerialDelimiter());
  }

  private static void putIfSet(JsonObject json, String field, Object value) {
    if (value != null) {
      json.put(field, value instanceof CharSequence text ? text.toString() : value);
    }
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
