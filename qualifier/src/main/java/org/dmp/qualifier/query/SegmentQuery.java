package org.dmp.qualifier.query;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.dmp.avro.Profile;
import org.dmp.qualifier.profile.ProcessedOffsets;
import org.dmp.qualifier.profile.QualifierTopology;
import org.dmp.qualifier.profile.TraitTimes;
import org.dmp.runtime.OperatorToken;
import org.dmp.schemas.IdMapKey;
import org.dmp.schemas.VisitorId;
import org.dmp.taxonomy.CompiledTaxonomy;

/**
 * {@code GET /segments/<visitor>?partition=P&offset=O&wait=MS}: the visitor's segments once the
 * event at (P, O) has been processed, read from the profile store by interactive query. It waits at
 * most {@code wait} milliseconds (capped), told by the stream thread when the offset is processed;
 * past that, or when too many questions wait already, it answers what it has with {@code "stale":
 * true}, so the edge's same-hit answer is never late.
 *
 * <p>Any instance may be asked: one that does not own the visitor's partition forwards the
 * question, once, to the instance that does (Kafka Streams' {@code application.server}).
 */
public final class SegmentQuery {
  private static final Duration MAX_WAIT = Duration.ofSeconds(1);
  private static final String FORWARDED = "X-DMP-Forwarded";

  /** What the query reads of a running qualifier instance. */
  public interface Instance {
    KafkaStreams streams();

    ProcessedOffsets processed();

    CompiledTaxonomy taxonomy();

    /** Where the other instances reach this one's query API. */
    HostInfo self();
  }

  private final Vertx vertx;
  private final Supplier<Instance> instance;
  private final WebClient client;
  private final OperatorToken operator;

  /**
   * @param instance the running instance, or null while it starts
   */
  public SegmentQuery(Vertx vertx, OperatorToken operator, Supplier<Instance> instance) {
    this.vertx = vertx;
    this.operator = operator;
    this.instance = instance;
    this.client = WebClient.create(vertx);
  }

  public void mount(Router router) {
    // Whole profiles: for the edge, the other instances and operators, with the operator token.
    router.get("/segments/:visitorId").handler(operator.guard()).handler(this::answer);
    router
        .get("/partners/:dataSource/:partnerUserId")
        .handler(operator.guard())
        .handler(this::partner);
  }

  /**
   * {@code GET /partners/<data source>/<partner user id>}: the visitors the partner id was synced
   * with, the most recent last, and whether it opted out; from the id map's store, on the instance
   * that owns the partner id's partition.
   */
  private void partner(RoutingContext context) {
    String key;
    try {
      key =
          IdMapKey.of(
              Long.parseLong(context.pathParam("dataSource")), context.pathParam("partnerUserId"));
    } catch (NumberFormatException e) {
      error(context, 400, "expected /partners/<data source id>/<partner user id>");
      return;
    }
    Instance running = owner(context, QualifierTopology.PARTNER_IDS, key, "partner id");
    if (running == null) {
      return;
    }
    vertx
        .executeBlocking(
            () ->
                running
                    .streams()
                    .store(
                        StoreQueryParameters.fromNameAndType(
                            QualifierTopology.PARTNER_IDS,
                            QueryableStoreTypes.<String, String>keyValueStore()))
                    .get(key),
            false)
        .onSuccess(
            state ->
                context
                    .response()
                    .putHeader("Content-Type", "application/json")
                    .end(
                        new JsonObject()
                            .put("partnerId", key)
                            .put("visitors", new JsonArray(QualifierTopology.syncedVisitors(state)))
                            .put("optedOut", QualifierTopology.partnerIdOptedOut(state))
                            .encode()))
        .onFailure(
            failure ->
                error(context, 503, "the id store cannot be read now: " + failure.getMessage()));
  }

  private void answer(RoutingContext context) {
    String visitorId = context.pathParam("visitorId");
    String partition = context.queryParams().get("partition");
    String offset = context.queryParams().get("offset");
    String wait = context.queryParams().get("wait");
    boolean detail = "1".equals(context.queryParams().get("detail"));
    if (!VisitorId.isValid(visitorId)
        || (partition == null) != (offset == null)
        || (partition != null
            && !(partition.matches("[0-9]{1,9}") && offset.matches("[0-9]{1,18}")))
        || (wait != null && !wait.matches("[0-9]{1,6}"))) {
      error(
          context,
          400,
          "expected /segments/<visitor id>[?partition=P&offset=O][&wait=MS][&detail=1]");
      return;
    }
    Instance running = owner(context, QualifierTopology.PROFILES, visitorId, "visitor");
    if (running == null) {
      return;
    }
    Duration waitFor =
        Duration.ofMillis(Math.min(MAX_WAIT.toMillis(), wait == null ? 50 : Long.parseLong(wait)));
    Future<Boolean> caughtUp =
        partition == null
            ? Future.succeededFuture(true)
            : running
                .processed()
                .await(
                    vertx.getOrCreateContext(),
                    Integer.parseInt(partition),
                    Long.parseLong(offset),
                    waitFor);
    caughtUp
        .compose(
            reached ->
                vertx
                    .executeBlocking(() -> read(running, visitorId), false)
                    .map(
                        profile -> {
                          JsonObject json = json(running.taxonomy(), visitorId, profile, !reached);
                          return detail && profile != null ? details(json, profile) : json;
                        }))
        .onSuccess(
            json ->
                context.response().putHeader("Content-Type", "application/json").end(json.encode()))
        .onFailure(
            failure ->
                error(
                    context, 503, "the profile store cannot be read now: " + failure.getMessage()));
  }

  /**
   * This instance, when it owns the partition of {@code key} in {@code store}; otherwise null, the
   * question answered (503 while starting or rebalancing) or forwarded, once, to the owner.
   */
  private Instance owner(RoutingContext context, String store, String key, String what) {
    Instance running = instance.get();
    if (running == null || running.streams() == null) {
      error(context, 503, "the qualifier is starting");
      return null;
    }
    KeyQueryMetadata owner =
        running.streams().queryMetadataForKey(store, key, Serdes.String().serializer());
    if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
      error(context, 503, "no instance owns the " + what + "'s partition now (rebalancing)");
      return null;
    }
    if (!owner.activeHost().equals(running.self())
        && context.request().getHeader(FORWARDED) == null) {
      forward(context, owner.activeHost());
      return null;
    }
    return running;
  }

  private void forward(RoutingContext context, HostInfo owner) {
    client
        .get(owner.port(), owner.host(), context.request().uri())
        .putHeader(FORWARDED, "1")
        .putHeader("Authorization", operator.authorization())
        .timeout(MAX_WAIT.plusSeconds(1).toMillis())
        .send()
        .onSuccess(
            response ->
                context
                    .response()
                    .setStatusCode(response.statusCode())
                    .putHeader("Content-Type", "application/json")
                    .end(
                        response.bodyAsBuffer() == null
                            ? io.vertx.core.buffer.Buffer.buffer()
                            : response.bodyAsBuffer()))
        .onFailure(
            failure ->
                error(
                    context,
                    503,
                    "the instance owning the visitor ("
                        + owner
                        + ") did not answer: "
                        + failure.getMessage()));
  }

  private static Profile read(Instance running, String visitorId) {
    KafkaStreams streams = running.streams();
    if (streams == null) {
      throw new InvalidStateStoreException("the streams have not started");
    }
    ReadOnlyKeyValueStore<String, Profile> store =
        streams.store(
            StoreQueryParameters.fromNameAndType(
                QualifierTopology.PROFILES, QueryableStoreTypes.<String, Profile>keyValueStore()));
    return store.get(visitorId);
  }

  private static JsonObject json(
      CompiledTaxonomy taxonomy, String visitorId, Profile profile, boolean stale) {
    JsonArray segments = new JsonArray();
    JsonArray traits = new JsonArray();
    long version = 0;
    if (profile != null && !profile.getOptedOut()) {
      profile.getSegments().forEach(segments::add);
      realizedTraits(taxonomy, profile).forEach(traits::add);
      version = profile.getVersion();
    }
    return new JsonObject()
        .put("visitorId", visitorId)
        .put("segments", segments)
        .put("traits", traits)
        .put("version", version)
        .put("stale", stale);
  }

  /**
   * For operators looking a visitor up: when each trait was realized (event times, epoch ms), the
   * partner ids, the regions, and when the segments were last evaluated.
   */
  private static JsonObject details(JsonObject json, Profile profile) {
    if (profile.getOptedOut()) {
      return json.put("optedOut", true);
    }
    JsonObject realizations = new JsonObject();
    TraitTimes.of(profile)
        .asMap()
        .forEach((trait, times) -> realizations.put(trait, new JsonArray(times)));
    JsonArray partnerIds = new JsonArray();
    profile
        .getPartnerIds()
        .forEach(
            id ->
                partnerIds.add(
                    new JsonObject()
                        .put("dataSource", id.getDataSourceId())
                        .put("id", id.getPartnerUserId())));
    return json.put("optedOut", false)
        .put("realizations", realizations)
        .put("partnerIds", partnerIds)
        .put("regions", new JsonArray(List.copyOf(profile.getRegions())))
        .put("evaluatedAt", profile.getEvaluatedAt());
  }

  /** Traits with a realization within their TTL as of the visitor's latest realization. */
  private static SortedSet<Long> realizedTraits(CompiledTaxonomy taxonomy, Profile profile) {
    TraitTimes traitTimes = TraitTimes.of(profile);
    long latest = Long.MIN_VALUE;
    for (int at = 0; at < traitTimes.size(); at++) {
      latest = Math.max(latest, traitTimes.time(traitTimes.end(at) - 1));
    }
    TreeSet<Long> traits = new TreeSet<>();
    for (int at = 0; at < traitTimes.size(); at++) {
      long ttlMillis = taxonomy.traits().ttlMillis(traitTimes.trait(at));
      // Oldest first: the newest tells.
      if (latest - traitTimes.time(traitTimes.end(at) - 1) < ttlMillis) {
        traits.add(traitTimes.trait(at));
      }
    }
    return traits;
  }

  private static void error(RoutingContext context, int status, String reason) {
    context
        .response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", reason).encode());
  }
}
