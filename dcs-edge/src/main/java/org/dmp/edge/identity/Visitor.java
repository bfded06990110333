package org.dmp.edge.identity;

import io.vertx.ext.web.RoutingContext;
import java.util.Objects;
import org.dmp.schemas.VisitorId;

/**
 * Who a call is about, as {@link VisitorStep} resolved it for the steps after it.
 *
 * @param id the visitor id; {@link VisitorId#OPTED_OUT} for an opted-out browser
 * @param standing whether the id was known before this call
 * @param childDirected d_coppa: the call comes from a site directed at children, so no visitor
 *     cookie is written
 */
public record Visitor(String id, Standing standing, boolean childDirected) {
  private static final String KEY = "dmp.visitor";

  public enum Standing {
    /** The cookie or d_uuid named them. */
    KNOWN,
    /** Nothing named them: the id was just drawn, and the answer's cookie gives it to them. */
    NEW,
    /** The browser carries the opt-out mark: nothing about them is collected. */
    OPTED_OUT
  }

  public Visitor {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(standing, "standing");
  }

  public boolean optedOut() {
    return standing == Standing.OPTED_OUT;
  }

  /** The visitor the {@link VisitorStep} before this step resolved. */
  public static Visitor of(RoutingContext context) {
    Visitor visitor = context.get(KEY);
    if (visitor == null) {
      throw new IllegalStateException("no visitor step runs before " + context.request().path());
    }
    return visitor;
  }

  void putOn(RoutingContext context) {
    context.put(KEY, this);
  }
}
