package org.dmp.console.access;

import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.dmp.runtime.OperatorToken;

/**
 * Logging in to the console: with the operator token, with the configured user and password, or
 * once with a link the console issued (the demo prints one). A login opens a session whose cookie
 * is HttpOnly, SameSite=Strict (so no other site can make a browser call the API with it) and
 * Secure over TLS. The API also takes the operator token as a bearer token, for scripts.
 */
public final class Login {
  public static final String COOKIE = "dmp-console-session";
  public static final String OPERATOR = "operator";
  private static final int MOST_FORM_BYTES = 16 * 1024;
  private static final Duration LINKS_LAST = Duration.ofDays(1);

  private final Sessions sessions;
  private final OperatorToken operator;
  private final Optional<String> user;
  private final Optional<String> password;
  private final Clock clock;
  private final Map<String, Instant> links = new ConcurrentHashMap<>();

  /**
   * @param password the configured user's password; with either empty, only the token logs in
   */
  public Login(
      Sessions sessions,
      OperatorToken operator,
      Optional<String> user,
      Optional<String> password,
      Clock clock) {
    this.sessions = sessions;
    this.operator = operator;
    this.user = user;
    this.password = password.filter(text -> !text.isEmpty());
    this.clock = clock;
  }

  public void mount(Router router) {
    router.get("/login").handler(context -> context.response().sendFile("webroot/login.html"));
    router.post("/login").handler(BodyHandler.create().setBodyLimit(MOST_FORM_BYTES));
    router.post("/login").handler(this::logIn);
    router.get("/login/once").handler(this::logInOnce);
    router.post("/logout").handler(this::logOut);
  }

  /** A link's token that logs in once within a day: {@code /login/once?token=...}. */
  public String issueLink() {
    String token = UUID.randomUUID().toString();
    Instant now = clock.instant();
    links.values().removeIf(expiry -> expiry.isBefore(now));
    links.put(token, now.plus(LINKS_LAST));
    return token;
  }

  /** Lets through calls with a live session or the operator bearer token; others get 401. */
  public Handler<RoutingContext> apiGuard() {
    return context -> {
      if (loggedIn(context).isPresent()
          || operator.accepts(context.request().getHeader("Authorization"))) {
        context.next();
      } else {
        JsonError.send(context, 401, "log in first (POST /login), or send the operator token");
      }
    };
  }

  /** Lets through pages for a live session; sends others to the login page. */
  public Handler<RoutingContext> pageGuard() {
    return context -> {
      if (loggedIn(context).isPresent()) {
        context.next();
      } else {
        context.redirect("/login");
      }
    };
  }

  private Optional<String> loggedIn(RoutingContext context) {
    Cookie cookie = context.request().getCookie(COOKIE);
    return sessions.user(cookie == null ? null : cookie.getValue());
  }

  private void logIn(RoutingContext context) {
    boolean json =
        Optional.ofNullable(context.request().getHeader("Content-Type"))
            .filter(type -> type.startsWith("application/json"))
            .isPresent();
    Optional<String> who;
    if (json) {
      JsonObject body;
      try {
        body = context.body().asJsonObject();
      } catch (RuntimeException e) {
        JsonError.send(context, 400, "the body is not a JSON object: " + e.getMessage());
        return;
      }
      who =
          body == null
              ? Optional.empty()
              : check(body.getValue("token"), body.getValue("user"), body.getValue("password"));
    } else {
      var form = context.request().formAttributes();
      who = check(form.get("token"), form.get("user"), form.get("password"));
    }
    if (who.isEmpty()) {
      if (json) {
        JsonError.send(context, 401, "wrong token, or wrong user or password");
      } else {
        context.redirect("/login?failed");
      }
      return;
    }
    startSession(context, who.get());
    if (json) {
      context.json(new JsonObject().put("user", who.get()));
    } else {
      context.redirect("/");
    }
  }

  private Optional<String> check(Object token, Object name, Object secret) {
    if (token instanceof String text && !text.isEmpty()) {
      return operator.accepts("Bearer " + text) ? Optional.of(OPERATOR) : Optional.empty();
    }
    if (user.isEmpty()
        || password.isEmpty()
        || !(name instanceof String given)
        || !(secret instanceof String word)) {
      return Optional.empty();
    }
    // Both compared whatever the first gives, so the time taken tells nothing about either.
    boolean rightName = same(given, user.get());
    boolean rightPassword = same(word, password.get());
    return rightName && rightPassword ? user : Optional.empty();
  }

  private void logInOnce(RoutingContext context) {
    String token = context.request().getParam("token");
    Instant expiry = token == null ? null : links.remove(token);
    if (expiry == null || expiry.isBefore(clock.instant())) {
      JsonError.send(context, 401, "this login link was used already, has expired or is unknown");
      return;
    }
    startSession(context, OPERATOR);
    context.redirect("/");
  }

  private void logOut(RoutingContext context) {
    Cookie cookie = context.request().getCookie(COOKIE);
    if (cookie != null) {
      sessions.close(cookie.getValue());
    }
    context.response().addCookie(cookie(context.request(), "").setMaxAge(0));
    context.redirect("/login");
  }

  private void startSession(RoutingContext context, String who) {
    context.response().addCookie(cookie(context.request(), sessions.open(who)));
  }

  private static Cookie cookie(HttpServerRequest request, String value) {
    boolean tls =
        request.isSSL() || "https".equalsIgnoreCase(request.getHeader("X-Forwarded-Proto"));
    return Cookie.cookie(COOKIE, value)
        .setPath("/")
        .setHttpOnly(true)
        .setSameSite(CookieSameSite.STRICT)
        .setSecure(tls);
  }

  /** Compares in a time that does not tell how much of a guess was right. */
  private static boolean same(String given, String expected) {
    return MessageDigest.isEqual(
        given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }
}
