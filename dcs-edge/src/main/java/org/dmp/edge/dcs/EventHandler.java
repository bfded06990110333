package org.dmp.edge.dcs;

import org.dmp.taxonomy.Signals;
import org.dmp.schemas.VisitorId;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.dmp.avro.EventSource;
import org.dmp.avro.VisitEvent;
import org.dmp.edge.Hits;
import org.dmp.edge.answer.HitAnswers;
import org.dmp.edge.answer.Qualification;
import org.dmp.edge.answer.Responses;
import org.dmp.edge.provider.Enrichment;
import org.dmp.edge.provider.RealtimeProviders;

/**
 * {@code GET|POST /event}: one tag call becomes one VisitEvent on the event log, answered with a
 * pixel or the DCS JSON only after Kafka acknowledged it.
 */
public final class EventHandler implements Handler<RoutingContext> {
  private final Hits hits;
  private final DcsCallParser parser;
  private final RealtimeProviders providers;
  private final HitAnswers answers;

  public EventHandler(Hits hits, RealtimeProviders providers, HitAnswers answers) {
    this.hits = hits;
    var limits = hits.config().limits();
    this.parser = new DcsCallParser(new FormDecoder(limits.maxKeys(), limits.maxKeyLength()));
    this.providers = providers;
    this.answers = answers;
  }

  @Override
  public void handle(RoutingContext context) {
    var limits = hits.config().limits();
    if (context.request().uri().length() > limits.maxUrlBytes()) {
      Responses.error(context.response(), 414, "the URL is longer than " + limits.maxUrlBytes() + " bytes");
      return;
    }
    Future<DcsCall> call;
    if (context.request().method() == HttpMethod.POST) {
      call = RequestBody.readForm(context.request(), limits.maxBodyBytes()).map(parser::parse);
    } else {
      try {
        call = Future.succeededFuture(parser.parse(context.request().query()));
      } catch (InvalidCall invalid) {
        call = Future.failedFuture(invalid);
      }
    }
    call.compose(parsed -> answer(context, parsed)).onFailure(failure -> hits.fail(context, failure));
  }

  private Future<Void> answer(RoutingContext context, DcsCall call) {
    Optional<String> known = hits.knownVisitor(context, call.declaredVisitorId());
    if (known.filter(VisitorId.OPTED_OUT::equals).isPresent()) {
      // An opted-out visitor is answered like anyone, but nothing about them is collected.
      respond(context, call, VisitorId.OPTED_OUT, "", Qualification.NONE);
      return Future.succeededFuture();
    }
    String visitorId = known.orElseGet(hits::newVisitorId);
    return providers.enrich(call.declaredIds(), visitorId).compose(enrichment -> {
      VisitEvent event = event(context, call, visitorId, enrichment);
      List<Long> privateTraits = answers.privateTraits(call.privateSignals(), event);
      if (!privateTraits.isEmpty()) {
        List<Long> realized = new ArrayList<>(event.getRealizedTraits());
        realized.addAll(privateTraits);
        event.setRealizedTraits(realized);
      }
      Future<RecordMetadata> acknowledged = hits.publish(event);
      // Only an answer that shows segments waits for qualification; a pixel is answered on Kafka's acknowledgement.
      Future<Qualification> qualification = call.answer().json()
          ? acknowledged.compose(written -> answers.qualify(event, written))
          : acknowledged.map(Qualification.NONE);
      return qualification.map(qualified -> {
        respond(context, call, visitorId, event.getEventId(), qualified);
        return null;
      });
    });
  }

  private VisitEvent event(RoutingContext context, DcsCall call, String visitorId, Enrichment enrichment) {
    Map<String, List<String>> signals = Signals.merged(call.signals(), enrichment.signals());
    return hits.event(context, EventSource.EDGE, visitorId)
        .setDataSourceId(call.dataSourceId().orElse(null))
        .setSignals(signals)
        .setPartnerIds(call.declaredIds())
        .setRealizedTraits(enrichment.traits())
        .build();
  }

  private void respond(RoutingContext context, DcsCall call, String visitorId, String transactionId, Qualification qualification) {
    hits.renewCookie(context, visitorId);
    if (call.answer().json()) {
      Responses.json(context.response(),
          Responses.dcsJson(visitorId, hits.config().region(), transactionId, qualification, call.answer()), call.answer());
    } else {
      Responses.pixel(context.response());
    }
  }
}
