package org.dmp.runtime;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.dmp.config.ConfigReader;

/**
 * The bearer token that operators, and the services among themselves, present to internal and
 * operator endpoints ({@code /metrics}, the qualifier's {@code /segments/<visitor>}, partner sync's
 * {@code /destinations}): setting {@code operator.token}, from the secret {@code
 * DMP_OPERATOR_TOKEN}. Without one, those endpoints refuse every call, so that a service deployed
 * without the secret exposes nothing. The health endpoints stay open for orchestrators.
 *
 * <p>Never printed: {@link #toString()} says only whether one is set.
 */
public final class OperatorToken {
  public static final String KEY = "operator.token";

  /** The environment variable that sets it. */
  public static final String VARIABLE = "DMP_OPERATOR_TOKEN";

  private static final String BEARER = "Bearer ";

  private final byte[] token;

  private OperatorToken(String token) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  public static OperatorToken of(String token) {
    return new OperatorToken(token);
  }

  /** Problems (a token that is set but too short to resist guessing) are left in the reader. */
  public static OperatorToken read(ConfigReader reader) {
    String token = reader.optionalText(KEY).orElse("");
    if (!token.isEmpty() && token.length() < 16) {
      reader.problem(KEY + " must be at least 16 characters (it is set by " + VARIABLE + ")");
    }
    return new OperatorToken(token);
  }

  public boolean isSet() {
    return token.length > 0;
  }

  /** The Authorization header a client of another service's endpoints sends. */
  public String authorization() {
    return BEARER + new String(token, StandardCharsets.UTF_8);
  }

  /** Whether an Authorization header carries this token; never, when none is set. */
  public boolean accepts(String authorization) {
    if (!isSet() || authorization == null || !authorization.startsWith(BEARER)) {
      return false;
    }
    byte[] given = authorization.substring(BEARER.length()).getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token);
  }

  /** A route handler that lets through only calls bearing this token, and answers others 401. */
  public Handler<RoutingContext> guard() {
    return context -> {
      if (accepts(context.request().getHeader("Authorization"))) {
        context.next();
        return;
      }
      context
          .response()
          .setStatusCode(401)
          .putHeader("WWW-Authenticate", "Bearer")
          .putHeader("Content-Type", "application/json")
          .putHeader("Cache-Control", "no-store")
          .end(
              new JsonObject()
                  .put(
                      "error",
                      isSet()
                          ? "this endpoint requires the operator bearer token"
                          : "this endpoint is closed: the service has no operator token ("
                              + VARIABLE
                              + ")")
                  .encode());
    };
  }

  @Override
  public String toString() {
    return isSet() ? "operator token set" : "no operator token";
  }
}
