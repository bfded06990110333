package org.dmp.edge;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import org.dmp.edge.http.Responses;
import org.dmp.edge.idsync.IdSyncHandler;
import org.dmp.edge.optout.OptOutHandler;
import org.dmp.edge.provider.RealtimeProviders;
import org.dmp.runtime.Draining;
import org.dmp.runtime.HealthRoutes;

/** The edge's HTTP server on one event loop; {@link EdgeServer} deploys one per event loop. */
final class EdgeVerticle extends VerticleBase {
  private final EdgeServer.Shared shared;
  private final int port;
  private HttpServer server;

  EdgeVerticle(EdgeServer.Shared shared, int port) {
    this.shared = shared;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    EdgeConfig config = shared.config();
    WebClient client = WebClient.create(vertx, new WebClientOptions().setUserAgent("dmp-edge"));
    RealtimeProviders providers =
        new RealtimeProviders(
            vertx,
            client,
            dataSource -> shared.taxonomy().get().dataSources().provider(dataSource),
            config.providers(),
            shared.metrics(),
            shared.breakers());

    Router router = Router.router(vertx);
    router.route().handler(this::countOnAnswer);
    DcsRoutes.mount(
        router,
        config,
        shared.log(),
        providers,
        shared.answers(),
        shared.taxonomy(),
        shared.optOuts(),
        Clock.systemUTC());
    HealthRoutes.mount(router, shared.health());
    HealthRoutes.mountMetrics(router, config.common().operator(), shared.metrics()::scrape);
    router.errorHandler(
        404,
        context ->
            Responses.error(
                context.response(), 404, "no such endpoint: " + context.request().path()));
    router.errorHandler(
        405,
        context ->
            Responses.error(
                context.response(),
                405,
                context.request().method() + " is not allowed on " + context.request().path()));

    return vertx
        .createHttpServer(serverOptions(config))
        .requestHandler(router)
        .listen(port, config.common().http().host())
        .onSuccess(listening -> server = listening);
  }

  /**
   * Takes no more calls and closes once those in flight are answered: EdgeServer closes the visit
   * log only after.
   */
  @Override
  public Future<?> stop() {
    return server == null
        ? Future.succeededFuture()
        : Draining.shutdown(server, shared.config().common().http().drainTimeout());
  }

  int actualPort() {
    return server.actualPort();
  }

  private static HttpServerOptions serverOptions(EdgeConfig config) {
    HttpServerOptions options =
        new HttpServerOptions()
            // Room for "GET " + an 8 KB URL + " HTTP/1.1"; the handlers answer 414 above the URL
            // limit
            // itself, Vert.x answers 414 beyond this line length.
            .setMaxInitialLineLength(config.limits().maxUrlBytes() + 64)
            .setIdleTimeout(60);
    config
        .tls()
        .ifPresent(
            tls ->
                options
                    .setSsl(true)
                    .setKeyCertOptions(
                        new PemKeyCertOptions()
                            .setCertPath(tls.certificate().toString())
                            .setKeyPath(tls.key().toString())));
    return options;
  }

  private void countOnAnswer(RoutingContext context) {
    context.addHeadersEndHandler(
        ignored ->
            shared
                .metrics()
                .countRequest(
                    endpoint(context.request().path()), context.response().getStatusCode()));
    context.next();
  }

  private static String endpoint(String path) {
    if (path.equals("/event")) {
      return "event";
    }
    if (path.startsWith(IdSyncHandler.PATH_PREFIX)) {
      return "ibs";
    }
    if (path.equals(OptOutHandler.PATH) || path.equals(OptOutHandler.PATH_WITHOUT_EXTENSION)) {
      return "optout";
    }
    return path.startsWith("/health/") || path.equals("/metrics") ? path.substring(1) : "other";
  }
}
