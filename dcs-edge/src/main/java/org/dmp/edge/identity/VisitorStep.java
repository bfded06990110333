package org.dmp.edge.identity;

import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import org.dmp.edge.http.CallErrors;
import org.dmp.edge.http.Form;
import org.dmp.edge.http.InvalidHit;
import org.dmp.schemas.VisitorId;

/**
 * The route step that resolves who a call is about: the visitor cookie if it holds a valid id or
 * the opt-out mark, else the call's {@code d_uuid}, else its {@code d_mid} (the ID service's
 * Experience Cloud id, which this edge issues as the visitor id: it names the visitor where
 * third-party cookies are blocked), else a new visitor.
 *
 * <p>A cookie holding anything else is ignored: the visitor cannot repair their own cookie. A bad
 * {@code d_uuid} or {@code d_mid} is reported as Audience Manager does (errors 102 and 101) and
 * ignored, so the rest of the call still counts. {@code d_coppa=1} (or {@code true}) marks a call
 * from a site directed at children: no visitor cookie is written for it. Runs after a form step;
 * one per event loop.
 */
public final class VisitorStep implements Handler<RoutingContext> {
  private static final String DECLARED = "d_uuid";
  private static final String EXPERIENCE_CLOUD_ID = "d_mid";

  private final String cookieName;
  private final VisitorIds ids = new VisitorIds();

  public VisitorStep(String cookieName) {
    this.cookieName = cookieName;
  }

  @Override
  public void handle(RoutingContext context) {
    Form form = Form.of(context);
    CallErrors errors = CallErrors.of(context);
    Optional<String> declared =
        valid(form, DECLARED, CallErrors.INVALID_UUID, "Invalid AAM ID passed in request", errors)
            .or(
                () ->
                    valid(
                        form,
                        EXPERIENCE_CLOUD_ID,
                        CallErrors.INVALID_MID,
                        "Invalid Experience Cloud id passed in",
                        errors));
    boolean childDirected = childDirected(form);
    Cookie cookie = context.request().getCookie(cookieName);
    String fromCookie = cookie == null ? null : cookie.getValue();
    Visitor visitor;
    if (VisitorId.OPTED_OUT.equals(fromCookie)) {
      visitor = new Visitor(VisitorId.OPTED_OUT, Visitor.Standing.OPTED_OUT, childDirected);
    } else if (fromCookie != null && VisitorId.isValid(fromCookie)) {
      visitor = new Visitor(fromCookie, Visitor.Standing.KNOWN, childDirected);
    } else if (declared.isPresent()) {
      visitor = new Visitor(declared.get(), Visitor.Standing.KNOWN, childDirected);
    } else {
      visitor = new Visitor(ids.next(), Visitor.Standing.NEW, childDirected);
    }
    visitor.putOn(context);
    context.next();
  }

  /** The key's value if it is a visitor id; any other value is reported and ignored. */
  private static Optional<String> valid(
      Form form, String key, int code, String message, CallErrors errors) {
    Optional<String> value = form.single(key);
    if (value.isPresent() && !VisitorId.isValid(value.get())) {
      errors.add(code, message + " " + value.get());
      return Optional.empty();
    }
    return value;
  }

  private static boolean childDirected(Form form) {
    return form.single("d_coppa")
        .map(
            value ->
                switch (value) {
                  case "1", "true" -> true;
                  case "0", "false" -> false;
                  default ->
                      throw new InvalidHit(
                          "d_coppa must be 1, true, 0 or false, was '" + value + "'");
                })
        .orElse(false);
  }
}
