package org.dmp.edge.optout;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
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
import org.dmp.schemas.VisitorId;
import org.dmp.taxonomy.CompiledTaxonomy;

/**
 * {@code GET /demoptout.jpg} or {@code /demoptout}, after the form and visitor steps: marks the
 * browser {@code NOTARGET} for ten years. When the visitor was known (cookie, d_uuid or d_mid), an
 * opt-out event tells the rest of the platform to forget them and to remove their segments at
 * partners. Declared ids on the call ({@code d_cid}, {@code d_cid_ic}, {@code d_dpid}/{@code
 * d_dpuuid}) opt out whoever they name too: an event keyed {@code NOTARGET} carries them, and the
 * qualifier opts out each visitor its id map knows them by. The log holds the events before the
 * answer.
 */
public final class OptOutHandler implements Handler<RoutingContext> {
  public static final String PATH = "/demoptout.jpg";

  /** The same without the image's extension, which Audience Manager also takes. */
  public static final String PATH_WITHOUT_EXTENSION = "/demoptout";

  private final VisitEvents events;
  private final VisitLog log;
  private final CookieRenewal cookies;
  private final Supplier<CompiledTaxonomy> taxonomy;

  public OptOutHandler(
      VisitEvents events,
      VisitLog log,
      CookieRenewal cookies,
      Supplier<CompiledTaxonomy> taxonomy) {
    this.events = events;
    this.log = log;
    this.cookies = cookies;
    this.taxonomy = taxonomy;
  }

  @Override
  public void handle(RoutingContext context) {
    Visitor visitor = Visitor.of(context);
    List<PartnerId> declared =
        DeclaredIds.parse(
            Form.of(context), taxonomy.get().dataSources(), visitor.id(), CallErrors.of(context));
    List<Future<VisitLog.LogPosition>> logged = new ArrayList<>(2);
    if (visitor.standing() == Visitor.Standing.KNOWN) {
      logged.add(
          log.append(events.start(context.request(), EventSource.OPT_OUT, visitor.id()).build()));
    }
    if (!declared.isEmpty()) {
      logged.add(
          log.append(
              events
                  .start(context.request(), EventSource.OPT_OUT, VisitorId.OPTED_OUT)
                  .setPartnerIds(declared)
                  .build()));
    }
    Future.all(logged).onSuccess(done -> respond(context)).onFailure(context::fail);
  }

  private void respond(RoutingContext context) {
    cookies.renew(context, VisitorId.OPTED_OUT);
    Responses.pixel(context.response());
  }
}
