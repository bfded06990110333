package org.dmp.edge.optout;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.dmp.avro.EventSource;
import org.dmp.avro.PartnerId;
import org.dmp.avro.VisitEvent;
import org.dmp.edge.http.CallErrors;
import org.dmp.edge.http.Form;
import org.dmp.edge.http.Responses;
import org.dmp.edge.identity.CookieRenewal;
import org.dmp.edge.identity.DeclaredIds;
import org.dmp.edge.identity.Visitor;
import org.dmp.edge.visit.VisitEvents;
import org.dmp.edge.visit.VisitLog;
import org.dmp.schemas.VisitorId;
import org.dmp.taxonomy.CompiledTaxonomy;

/**
 * {@code GET /demoptout.jpg} or {@code /demoptout}, after the form and visitor steps: marks the
 * browser {@code NOTARGET} for ten years. When the visitor was known (cookie, d_uuid or d_mid), an
 * opt-out event tells the rest of the platform to forget them and to remove their segments at
 * partners. Declared ids on the call ({@code d_cid}, {@code d_cid_ic}, {@code d_dpid}/{@code
 * d_dpuuid}) opt out whoever they name too: an event keyed {@code NOTARGET} carries them, and the
 * qualifier opts out each visitor its id map knows them by.
 *
 * <p>The user's choice is honoured even while Kafka is unreachable: the answer and its cookie do
 * not wait for Kafka: an event the log cannot take yet is kept on disk and offered again ({@link
 * PendingOptOuts}) until it can.
 */
public final class OptOutHandler implements Handler<RoutingContext> {
  public static final String PATH = "/demoptout.jpg";

  /** The same without the image's extension, which Audience Manager also takes. */
  public static final String PATH_WITHOUT_EXTENSION = "/demoptout";

  private final VisitEvents events;
  private final VisitLog log;
  private final CookieRenewal cookies;
  private final Supplier<CompiledTaxonomy> taxonomy;
  private final PendingOptOuts pending;

  public OptOutHandler(
      VisitEvents events,
      VisitLog log,
      CookieRenewal cookies,
      Supplier<CompiledTaxonomy> taxonomy,
      PendingOptOuts pending) {
    this.events = events;
    this.log = log;
    this.cookies = cookies;
    this.taxonomy = taxonomy;
    this.pending = pending;
  }

  @Override
  public void handle(RoutingContext context) {
    Visitor visitor = Visitor.of(context);
    List<PartnerId> declared =
        DeclaredIds.parse(
            Form.of(context), taxonomy.get().dataSources(), visitor.id(), CallErrors.of(context));
    List<VisitEvent> optOuts = new ArrayList<>(2);
    if (visitor.standing() == Visitor.Standing.KNOWN) {
      optOuts.add(events.start(context.request(), EventSource.OPT_OUT, visitor.id()).build());
    }
    if (!declared.isEmpty()) {
      optOuts.add(
          events
              .start(context.request(), EventSource.OPT_OUT, VisitorId.OPTED_OUT)
              .setPartnerIds(declared)
              .build());
    }
    List<Future<?>> logged = new ArrayList<>(optOuts.size());
    for (VisitEvent optOut : optOuts) {
      logged.add(log.append(optOut).recover(failure -> pending.keep(optOut, failure).mapEmpty()));
    }
    // Answered once each event is in the log, or kept in the journal to be offered again.
    Future.all(logged).onComplete(done -> respond(context));
  }

  private void respond(RoutingContext context) {
    cookies.renew(context, VisitorId.OPTED_OUT);
    Responses.pixel(context.response());
  }
}
