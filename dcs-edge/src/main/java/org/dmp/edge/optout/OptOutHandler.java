package org.dmp.edge.optout;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.dmp.avro.EventSource;
import org.dmp.edge.http.Responses;
import org.dmp.edge.identity.CookieRenewal;
import org.dmp.edge.identity.Visitor;
import org.dmp.edge.visit.VisitEvents;
import org.dmp.edge.visit.VisitLog;
import org.dmp.schemas.VisitorId;

/**
 * {@code GET /demoptout.jpg} or {@code /demoptout}, after the form and visitor steps: marks the
 * browser {@code NOTARGET} for ten years. When the visitor was known (cookie or d_uuid), an opt-out
 * event tells the rest of the platform to forget them and to remove their segments at partners; the
 * log holds that event before the answer.
 */
public final class OptOutHandler implements Handler<RoutingContext> {
  public static final String PATH = "/demoptout.jpg";

  /** The same without the image's extension, which Audience Manager also takes. */
  public static final String PATH_WITHOUT_EXTENSION = "/demoptout";

  private final VisitEvents events;
  private final VisitLog log;
  private final CookieRenewal cookies;

  public OptOutHandler(VisitEvents events, VisitLog log, CookieRenewal cookies) {
    this.events = events;
    this.log = log;
    this.cookies = cookies;
  }

  @Override
  public void handle(RoutingContext context) {
    Visitor visitor = Visitor.of(context);
    if (visitor.standing() != Visitor.Standing.KNOWN) {
      respond(context);
      return;
    }
    log.append(events.start(context.request(), EventSource.OPT_OUT, visitor.id()).build())
        .onSuccess(logged -> respond(context))
        .onFailure(context::fail);
  }

  private void respond(RoutingContext context) {
    cookies.renew(context, VisitorId.OPTED_OUT);
    Responses.pixel(context.response());
  }
}
