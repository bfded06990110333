package org.dmp.edge;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.dmp.edge.answer.TaxonomyHitAnswers;
import org.dmp.edge.metrics.EdgeMetrics;
import org.dmp.edge.optout.PendingOptOuts;
import org.dmp.edge.provider.RealtimeProviders;
import org.dmp.edge.visit.VisitLog;
import org.dmp.runtime.MainThread;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.TaxonomyFile;

/** The DCS routes on a real HTTP server over a visit log of the test's, without a broker. */
final class DcsRoutesServer {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

  private DcsRoutesServer() {}

  /**
   * @param taxonomy the taxonomy file's text
   * @param settings flags over the test's defaults (region 7, 512-byte URLs)
   * @return a client of the server, which follows no redirects
   */
  static WebClient serve(Vertx vertx, VisitLog log, String taxonomy, String... settings)
      throws Exception {
    List<String> args = new ArrayList<>(List.of("--dcs.max-url-bytes=512", "--dcs.region=7"));
    args.addAll(List.of(settings));
    EdgeConfig config = EdgeFixture.config("127.0.0.1:1", "visits", args.toArray(String[]::new));
    CompiledTaxonomy compiled = new CompiledTaxonomy(TaxonomyFile.parse("test.json", taxonomy));
    Router router = Router.router(vertx);
    RealtimeProviders noProviders =
        new RealtimeProviders(
            vertx,
            WebClient.create(vertx),
            dataSource -> Optional.empty(),
            config.providers(),
            new EdgeMetrics(),
            new ConcurrentHashMap<>());
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    DcsRoutes.mount(
        router,
        config,
        log,
        noProviders,
        new TaxonomyHitAnswers(() -> compiled, Optional.empty(), clock),
        () -> compiled,
        MainThread.await(
            PendingOptOuts.open(
                vertx,
                log,
                new PendingOptOuts.Settings(config.optOuts().maxPending(), Optional.empty())),
            WAIT,
            "opening the opt-outs waiting for the log"),
        clock);
    HttpServer server =
        MainThread.await(
            vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"), WAIT, "listen");
    return WebClient.create(
        vertx,
        new WebClientOptions()
            .setDefaultHost("127.0.0.1")
            .setDefaultPort(server.actualPort())
            .setFollowRedirects(false));
  }

  /** GETs {@code uri} with the given header names and values. */
  static HttpResponse<Buffer> get(WebClient http, String uri, String... headers)
      throws InterruptedException {
    var request = http.get(uri);
    for (int i = 0; i < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
    }
    return MainThread.await(request.send(), WAIT, "GET " + uri);
  }
}
