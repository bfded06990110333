package org.dmp.edge.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import org.dmp.schemas.VisitorId;

/**
 * What was wrong with part of a call that was otherwise processed, as Audience Manager reports it:
 * an {@code errors} entry {@code {"code", "msg"}} in the JSON answer, where a whole-call refusal
 * would be a 400. Each step adds to the one list of its request.
 */
public final class CallErrors {
  /** An invalid Experience Cloud id ({@code d_mid}). */
  public static final int INVALID_MID = 101;

  /** An invalid Audience Manager id ({@code d_uuid}). */
  public static final int INVALID_UUID = 102;

  /** A call from a visitor who opted out. */
  public static final int OPTED_OUT = 171;

  /** An invalid declared id: its data source, integration code, id or auth state. */
  public static final int INVALID_CUSTOMER_ID = 300;

  /** More declared ids than a call may carry: the rest are discarded. */
  public static final int TOO_MANY_CUSTOMER_IDS = 301;

  private static final String KEY = "dmp.errors";

  /** One entry. */
  public record CallError(int code, String msg) {}

  private final List<CallError> errors = new ArrayList<>();

  /** The errors of this request, empty until a step adds one. */
  public static CallErrors of(RoutingContext context) {
    CallErrors errors = context.get(KEY);
    if (errors == null) {
      errors = new CallErrors();
      context.put(KEY, errors);
    }
    return errors;
  }

  /** Error 171: the call comes from a visitor who opted out. */
  public void optedOut() {
    add(OPTED_OUT, "Encountered opt out tag for id " + VisitorId.OPTED_OUT);
  }

  public void add(int code, String msg) {
    errors.add(new CallError(code, msg));
  }

  public List<CallError> all() {
    return List.copyOf(errors);
  }

  /** Adds {@code errors} to an answer when there are any. */
  public void putOn(JsonObject answer) {
    if (errors.isEmpty()) {
      return;
    }
    JsonArray entries = new JsonArray();
    errors.forEach(
        error -> entries.add(new JsonObject().put("code", error.code()).put("msg", error.msg())));
    answer.put("errors", entries);
  }
}
