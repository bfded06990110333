package org.dmp.edge.identity;

import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import org.dmp.edge.http.Form;
import org.dmp.edge.http.InvalidHit;
import org.dmp.schemas.VisitorId;

/**
 * The route step that resolves who a call is about: the visitor cookie if it holds a valid id or
 * the opt-out mark, else the call's {@code d_uuid}, else a new visitor. A cookie holding anything
 * else is ignored, not an error: the visitor cannot repair their own cookie. A bad {@code d_uuid}
 * is refused with 400, since the tag sent it. Runs after a form step; one per event loop.
 */
public final class VisitorStep implements Handler<RoutingContext> {
  private static final String DECLARED = "d_uuid";

  private final String cookieName;
  private final VisitorIds ids = new VisitorIds();

  public VisitorStep(String cookieName) {
    this.cookieName = cookieName;
  }

  @Override
  public void handle(RoutingContext context) {
    Optional<String> declared = Form.of(context).single(DECLARED).map(VisitorStep::checked);
    Cookie cookie = context.request().getCookie(cookieName);
    String fromCookie = cookie == null ? null : cookie.getValue();
    Visitor visitor;
    if (VisitorId.OPTED_OUT.equals(fromCookie)) {
      visitor = new Visitor(VisitorId.OPTED_OUT, Visitor.Standing.OPTED_OUT);
    } else if (fromCookie != null && VisitorId.isValid(fromCookie)) {
      visitor = new Visitor(fromCookie, Visitor.Standing.KNOWN);
    } else if (declared.isPresent()) {
      visitor = new Visitor(declared.get(), Visitor.Standing.KNOWN);
    } else {
      visitor = new Visitor(ids.next(), Visitor.Standing.NEW);
    }
    visitor.putOn(context);
    context.next();
  }

  private static String checked(String declared) {
    Optional<String> problem = VisitorId.problem(DECLARED, declared);
    if (problem.isPresent()) {
      throw new InvalidHit(problem.get());
    }
    return declared;
  }
}
