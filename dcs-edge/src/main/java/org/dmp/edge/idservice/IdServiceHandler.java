package org.dmp.edge.idservice;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.dmp.avro.EventSource;
import org.dmp.avro.PartnerId;
import org.dmp.edge.http.CallErrors;
import org.dmp.edge.http.Form;
import org.dmp.edge.http.Responses;
import org.dmp.edge.identity.CookieRenewal;
import org.dmp.edge.identity.DeclaredIds;
import org.dmp.edge.identity.Visitor;
import org.dmp.edge.visit.VisitEvents;
import org.dmp.edge.visit.VisitLog;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.DataSources;
import org.dmp.taxonomy.UrlMacros;

/**
 * What Adobe's ID service (VisitorAPI.js) asks the DCS, after the form and visitor steps.
 *
 * <p>{@code GET /id} answers the visitor's Experience Cloud id ({@code d_mid}, which this edge
 * issues as the visitor id, so that the ID service's first-party copy names the visitor where
 * third-party cookies are blocked), {@code dcs_region}, {@code d_blob} (opaque: the one the call
 * sent back, else a new one), {@code id_sync_ttl}, {@code subdomain}, and in {@code ibs} the ID
 * syncs the taxonomy's data sources ask for. Declared ids on the call ({@code d_cid_ic} from the
 * service's {@code setCustomerIDs}) are recorded as an ID sync first. An opted-out visitor gets
 * {@code d_optout} and {@code d_ottl} instead, and nothing is recorded.
 *
 * <p>{@code GET /optOutStatus} answers only {@code d_optout} and {@code d_ottl}. Both answer JSONP
 * when {@code d_cb} names a callback.
 */
public final class IdServiceHandler implements Handler<RoutingContext> {
  public static final String ID_PATH = "/id";
  public static final String OPT_OUT_STATUS_PATH = "/optOutStatus";

  /** How long the ID service keeps its ID syncs before asking again: its own default. */
  private static final Duration ID_SYNC_TTL = Duration.ofDays(7);

  /** How long the ID service keeps an opt-out answer before asking again. */
  private static final Duration OPT_OUT_TTL = Duration.ofHours(2);

  private static final String GLOBAL_OPT_OUT = "global";
  private static final int BLOB_BYTES = 39;
  private static final long MINUTES_PER_DAY = 1440;

  private final VisitEvents events;
  private final VisitLog log;
  private final CookieRenewal cookies;
  private final Supplier<CompiledTaxonomy> taxonomy;
  private final String subdomain;
  private final Clock clock;

  public IdServiceHandler(
      VisitEvents events,
      VisitLog log,
      CookieRenewal cookies,
      Supplier<CompiledTaxonomy> taxonomy,
      String subdomain,
      Clock clock) {
    this.events = events;
    this.log = log;
    this.cookies = cookies;
    this.taxonomy = taxonomy;
    this.subdomain = subdomain;
    this.clock = clock;
  }

  @Override
  public void handle(RoutingContext context) {
    Form form = Form.of(context);
    Optional<String> callback = Responses.callback(form);
    Visitor visitor = Visitor.of(context);
    CallErrors errors = CallErrors.of(context);
    if (visitor.optedOut()) {
      errors.optedOut();
      respond(context, optOut(List.of(GLOBAL_OPT_OUT)), visitor, callback);
      return;
    }
    if (context.request().path().equals(OPT_OUT_STATUS_PATH)) {
      // A question about the state, not a visit: a browser without the cookie does not get one.
      if (visitor.standing() != Visitor.Standing.NEW) {
        cookies.renew(context, visitor.id());
      }
      Responses.json(context.response(), optOut(List.of()), callback);
      return;
    }
    DataSources dataSources = taxonomy.get().dataSources();
    List<PartnerId> declared = DeclaredIds.parse(form, dataSources, visitor.id(), errors);
    // Built before anything is recorded: a bad parameter is refused with nothing written.
    JsonObject answer = ids(context, form, visitor, declared, dataSources);
    Future<?> recorded =
        declared.isEmpty()
            ? Future.succeededFuture()
            : log.append(
                events
                    .start(context.request(), EventSource.ID_SYNC, visitor.id())
                    .setPartnerIds(declared)
                    .build());
    recorded
        .onSuccess(done -> respond(context, answer, visitor, callback))
        .onFailure(context::fail);
  }

  private JsonObject ids(
      RoutingContext context,
      Form form,
      Visitor visitor,
      List<PartnerId> declared,
      DataSources dataSources) {
    UrlMacros.Values macros =
        UrlMacros.Values.of(
            visitor.id(),
            events.region(),
            context.request().getHeader("Referer"),
            declared,
            form.single("gdpr").orElse(""),
            form.single("gdpr_consent").orElse(""),
            clock.millis());
    JsonArray ibs = new JsonArray();
    for (DataSources.IdSync sync : dataSources.idSyncs()) {
      ibs.add(
          new JsonObject()
              .put("id", Long.toString(sync.dataSourceId()))
              .put("tag", "img")
              .put("url", new JsonArray().add(UrlMacros.expand(sync.url(), macros, "")))
              .put("ttl", sync.ttlDays() * MINUTES_PER_DAY)
              .put("fireURLSync", 1)
              .put("syncOnPage", 0));
    }
    return new JsonObject()
        .put("d_mid", visitor.id())
        .put("id_sync_ttl", ID_SYNC_TTL.toSeconds())
        .put("d_blob", form.single("d_blob").orElseGet(IdServiceHandler::newBlob))
        .put("dcs_region", events.region())
        .put("subdomain", subdomain)
        .put("ibs", ibs);
  }

  private static JsonObject optOut(List<String> categories) {
    return new JsonObject()
        .put("d_optout", new JsonArray(categories))
        .put("d_ottl", OPT_OUT_TTL.toSeconds());
  }

  /** An opaque blob for the ID service to hand back: nothing here reads it. */
  private static String newBlob() {
    byte[] bytes = new byte[BLOB_BYTES];
    ThreadLocalRandom.current().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private void respond(
      RoutingContext context, JsonObject answer, Visitor visitor, Optional<String> callback) {
    cookies.renew(context, visitor.id());
    CallErrors.of(context).putOn(answer);
    Responses.json(context.response(), answer, callback);
  }
}
