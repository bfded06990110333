package org.dmp.console;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.StaticHandler;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.dmp.console.access.Login;
import org.dmp.console.access.Sessions;
import org.dmp.console.deadletters.DeadLettersApi;
import org.dmp.console.destinations.DestinationsApi;
import org.dmp.console.populations.PopulationsVerticle;
import org.dmp.console.replay.ReplayApi;
import org.dmp.console.taxonomy.TaxonomyApi;
import org.dmp.console.taxonomy.TaxonomyVerticle;
import org.dmp.console.visitors.VisitorsApi;
import org.dmp.runtime.HealthRoutes;
import org.dmp.runtime.RunningService;
import org.dmp.runtime.ServiceMain;

/**
 * Runs the console: {@code java -jar console/target/console.jar [--key=value ...]}. Its pages and
 * the taxonomy API ({@code /api}, described by {@code /api/openapi.json}) need a login.
 */
public final class ConsoleMain {
  private ConsoleMain() {}

  /** A started console: its HTTP side, and the one-time login links it issues. */
  public record Console(RunningService service, Login login) {
    /** A link that logs a browser in once, within a day. */
    public String loginLink(String host) {
      return "http://" + host + ":" + service.httpPort() + "/login/once?token=" + login.issueLink();
    }
  }

  public static void main(String[] args) {
    ServiceMain.run(
        ConsoleConfig.SETTINGS,
        args,
        ConsoleConfig::read,
        (vertx, config) -> start(vertx, config).map(Console::service));
  }

  public static Future<Console> start(Vertx vertx, ConsoleConfig config) {
    return start(vertx, config, name -> Optional.ofNullable(System.getenv(name)));
  }

  /**
   * @param environment where the configured user's password is read from
   */
  public static Future<Console> start(
      Vertx vertx, ConsoleConfig config, Function<String, Optional<String>> environment) {
    Login login =
        new Login(
            new Sessions(Clock.systemUTC(), config.sessionIdle(), config.maxSessions()),
            config.common().operator(),
            config.user(),
            environment.apply(config.passwordEnv()),
            Clock.systemUTC());
    TaxonomyVerticle taxonomy = new TaxonomyVerticle(config);
    PopulationsVerticle populations =
        new PopulationsVerticle(config.common().kafka(), config.common().topics().populations());
    WebClient client = WebClient.create(vertx);
    DestinationsApi destinations =
        new DestinationsApi(client, config.partnerSyncUrls(), config.common().operator());
    return vertx
        .deployVerticle(taxonomy)
        .compose(deployed -> vertx.deployVerticle(populations))
        .compose(
            deployed ->
                ConsoleApi.router(
                    vertx,
                    config.maxBodyBytes(),
                    new TaxonomyApi(taxonomy.store())::mount,
                    destinations::mount,
                    new VisitorsApi(
                            vertx,
                            client,
                            config.qualifierUrl(),
                            config.common().operator(),
                            config.common().kafka(),
                            config.common().topics().deliveries(),
                            () -> taxonomy.store().inForce().file())
                        ::mount,
                    new ReplayApi(
                            vertx,
                            config.common().kafka(),
                            config.common().topics(),
                            () -> taxonomy.store().inForce().file())
                        ::mount,
                    populations::mount,
                    new DeadLettersApi(
                            vertx,
                            client,
                            config.common().kafka(),
                            config.common().topics().deadLetters(),
                            config.partnerSyncUrls(),
                            config.common().operator())
                        ::mount))
        .compose(
            api ->
                config
                    .common()
                    .startStatusServer(
                        vertx,
                        ConsoleConfig.SETTINGS.name(),
                        HealthRoutes.Readiness.ALWAYS,
                        router -> routes(router, login, api)))
        .map(service -> new Console(service, login));
  }

  private static void routes(Router router, Login login, Router api) {
    login.mount(router);
    Handler<RoutingContext> guard = login.apiGuard();
    router
        .route("/api/*")
        .handler(
            context -> {
              // The API's own description is open, as its login is.
              if (context.normalizedPath().equals("/api/openapi.json")) {
                context.next();
              } else {
                guard.handle(context);
              }
            });
    router.route("/api/*").subRouter(api);
    router.route("/assets/*").handler(StaticHandler.create("webroot/assets"));
    router.route("/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars"));
    for (String page : List.of("index", "destinations", "deadletters", "visitors", "replay")) {
      router
          .get(page.equals("index") ? "/" : "/" + page)
          .handler(login.pageGuard())
          .handler(context -> context.response().sendFile("webroot/" + page + ".html"));
    }
  }
}
