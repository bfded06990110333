package org.dmp.qualifier.query;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.dmp.avro.Profile;
import org.dmp.qualifier.profile.ProcessedOffsets;
import org.dmp.qualifier.profile.QualifierTopology;
import org.dmp.qualifier.taxonomy.CompiledTaxonomy;

/**
 * {@code GET /segments/<visitor>?partition=P&offset=O&wait=MS}: the visitor's segments once this
 * instance has processed the event at (P, O), read from the profile store by interactive query.
 * It waits at most {@code wait} milliseconds (capped); past that it answers what it has with
 * {@code "stale": true}, so the edge's same-hit answer is never late.
 *
 * <p>Answered from the local store: with several instances, the one that owns the visitor's
 * partition must be asked (forwarding is not built yet).
 */
public final class SegmentQuery {
  private static final Duration MAX_WAIT = Duration.ofSeconds(1);
  private static final long POLL_MILLIS = 1;

  private final Vertx vertx;
  private final Supplier<KafkaStreams> streams;
  private final ProcessedOffsets processed;
  private final Supplier<CompiledTaxonomy> taxonomy;

  public SegmentQuery(Vertx vertx, Supplier<KafkaStreams> streams, ProcessedOffsets processed, Supplier<CompiledTaxonomy> taxonomy) {
    this.vertx = vertx;
    this.streams = streams;
    this.processed = processed;
    this.taxonomy = taxonomy;
  }

  public void mount(Router router) {
    router.get("/segments/:visitorId").handler(this::answer);
  }

  private void answer(RoutingContext context) {
    String visitorId = context.pathParam("visitorId");
    String partition = context.queryParams().get("partition");
    String offset = context.queryParams().get("offset");
    String wait = context.queryParams().get("wait");
    if (!visitorId.matches("[0-9]{1,38}") || (partition == null) != (offset == null)
        || partition != null && !(partition.matches("[0-9]{1,9}") && offset.matches("[0-9]{1,18}"))
        || wait != null && !wait.matches("[0-9]{1,6}")) {
      error(context, 400, "expected /segments/<visitor id>[?partition=P&offset=O][&wait=MS]");
      return;
    }
    long deadline = System.nanoTime() + Duration.ofMillis(Math.min(MAX_WAIT.toMillis(), wait == null ? 50 : Long.parseLong(wait))).toNanos();
    Future<Boolean> caughtUp = partition == null ? Future.succeededFuture(true)
        : await(Integer.parseInt(partition), Long.parseLong(offset), deadline);
    caughtUp.compose(reached -> vertx.executeBlocking(() -> read(visitorId), false).map(profile -> json(visitorId, profile, !reached)))
        .onSuccess(json -> context.response().putHeader("Content-Type", "application/json").end(json.encode()))
        .onFailure(failure -> error(context, 503, "the profile store cannot be read now: " + failure.getMessage()));
  }

  private Future<Boolean> await(int partition, long offset, long deadline) {
    Promise<Boolean> reached = Promise.promise();
    check(partition, offset, deadline, reached);
    return reached.future();
  }

  private void check(int partition, long offset, long deadline, Promise<Boolean> reached) {
    if (processed.reached(partition, offset)) {
      reached.complete(true);
    } else if (System.nanoTime() >= deadline) {
      reached.complete(false);
    } else {
      vertx.setTimer(POLL_MILLIS, id -> check(partition, offset, deadline, reached));
    }
  }

  private Profile read(String visitorId) {
    KafkaStreams running = streams.get();
    if (running == null) {
      throw new InvalidStateStoreException("the streams have not started");
    }
    ReadOnlyKeyValueStore<String, Profile> store = running.store(
        StoreQueryParameters.fromNameAndType(QualifierTopology.PROFILES, QueryableStoreTypes.<String, Profile>keyValueStore()));
    return store.get(visitorId);
  }

  private JsonObject json(String visitorId, Profile profile, boolean stale) {
    JsonArray segments = new JsonArray();
    JsonArray traits = new JsonArray();
    long version = 0;
    if (profile != null && !profile.getOptedOut()) {
      profile.getSegments().forEach(segments::add);
      realizedTraits(profile).forEach(traits::add);
      version = profile.getVersion();
    }
    return new JsonObject().put("visitorId", visitorId).put("segments", segments).put("traits", traits)
        .put("version", version).put("stale", stale);
  }

  /** Traits with a realization within their TTL as of the visitor's latest realization. */
  private TreeSet<Long> realizedTraits(Profile profile) {
    long latest = profile.getRealizations().values().stream().flatMap(List::stream).mapToLong(Long::longValue).max().orElse(0);
    TreeSet<Long> traits = new TreeSet<>();
    for (Map.Entry<String, List<Long>> entry : profile.getRealizations().entrySet()) {
      long trait = Long.parseLong(entry.getKey());
      Duration ttl = taxonomy.get().ttl(trait);
      if (entry.getValue().stream().anyMatch(time -> ttl == null || time + ttl.toMillis() > latest)) {
        traits.add(trait);
      }
    }
    return traits;
  }

  private static void error(RoutingContext context, int status, String reason) {
    context.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", reason).encode());
  }
}
