package org.dmp.edge.dcs;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.dmp.avro.EventSource;
import org.dmp.avro.VisitEvent;
import org.dmp.edge.answer.HitAnswers;
import org.dmp.edge.answer.Qualification;
import org.dmp.edge.http.CallErrors;
import org.dmp.edge.http.Form;
import org.dmp.edge.http.Responses;
import org.dmp.edge.identity.CookieRenewal;
import org.dmp.edge.identity.Visitor;
import org.dmp.edge.provider.Enrichment;
import org.dmp.edge.provider.RealtimeProviders;
import org.dmp.edge.visit.VisitEvents;
import org.dmp.edge.visit.VisitLog;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.Signals;

/**
 * {@code GET|POST /event}, after the form and visitor steps: one hit becomes one VisitEvent in the
 * visit log, answered with a pixel or the DCS JSON only once the log holds it.
 */
public final class EventHandler implements Handler<RoutingContext> {
  private final VisitEvents events;
  private final VisitLog log;
  private final CookieRenewal cookies;
  private final RealtimeProviders providers;
  private final HitAnswers answers;
  private final Supplier<CompiledTaxonomy> taxonomy;

  public EventHandler(
      VisitEvents events,
      VisitLog log,
      CookieRenewal cookies,
      RealtimeProviders providers,
      HitAnswers answers,
      Supplier<CompiledTaxonomy> taxonomy) {
    this.taxonomy = taxonomy;
    this.events = events;
    this.log = log;
    this.cookies = cookies;
    this.providers = providers;
    this.answers = answers;
  }

  @Override
  public void handle(RoutingContext context) {
    Visitor visitor = Visitor.of(context);
    CallErrors errors = CallErrors.of(context);
    DcsHit hit =
        DcsHitParser.parse(Form.of(context), taxonomy.get().dataSources(), visitor.id(), errors);
    if (visitor.optedOut()) {
      // An opted-out visitor is answered like anyone, but nothing about them is collected.
      errors.optedOut();
      respond(context, hit, visitor.id(), "", Qualification.NONE);
      return;
    }
    providers
        .enrich(hit.partnerIds(), visitor.id())
        .compose(enrichment -> record(context, hit, visitor.id(), enrichment))
        .onFailure(context::fail);
  }

  private Future<Void> record(
      RoutingContext context, DcsHit hit, String visitorId, Enrichment enrichment) {
    VisitEvent event = event(context, hit, visitorId, enrichment);
    List<Long> privateTraits = answers.privateTraits(hit.privateSignals(), event);
    if (!privateTraits.isEmpty()) {
      List<Long> realized = new ArrayList<>(event.getRealizedTraits());
      realized.addAll(privateTraits);
      event.setRealizedTraits(realized);
    }
    Future<VisitLog.LogPosition> logged = log.append(event);
    // Only an answer that shows segments waits for qualification; a pixel is answered once the log
    // holds the event.
    Future<Qualification> qualification =
        hit.answer().json()
            ? logged.compose(position -> answers.qualify(event, position))
            : logged.map(Qualification.NONE);
    return qualification.map(
        qualified -> {
          respond(context, hit, visitorId, event.getEventId(), qualified);
          return null;
        });
  }

  private VisitEvent event(
      RoutingContext context, DcsHit hit, String visitorId, Enrichment enrichment) {
    VisitEvent.Builder event = events.start(context.request(), EventSource.EDGE, visitorId);
    if (!hit.httpAttributes().isEmpty()) {
      Map<String, String> attributes = new HashMap<>(event.getHttpAttributes());
      attributes.putAll(hit.httpAttributes());
      event.setHttpAttributes(attributes);
    }
    return event
        .setTargetDataSourceId(hit.targetDataSourceId().orElse(null))
        .setSignals(Signals.merged(hit.signals(), enrichment.signals()))
        .setPartnerIds(hit.partnerIds())
        .setRealizedTraits(concat(enrichment.traits(), hit.realizedTraits()))
        .setRemovedTraits(hit.removedTraits())
        .build();
  }

  private static List<Long> concat(List<Long> first, List<Long> second) {
    if (second.isEmpty()) {
      return first;
    }
    List<Long> both = new ArrayList<>(first);
    both.addAll(second);
    return both;
  }

  private void respond(
      RoutingContext context,
      DcsHit hit,
      String visitorId,
      String eventId,
      Qualification qualification) {
    cookies.renew(context, visitorId);
    if (hit.answer().json()) {
      JsonObject json =
          DcsAnswer.json(visitorId, events.region(), eventId, qualification, hit.answer());
      CallErrors.of(context).putOn(json);
      Responses.json(context.response(), json, hit.answer().callback());
    } else {
      Responses.pixel(context.response());
    }
  }
}
