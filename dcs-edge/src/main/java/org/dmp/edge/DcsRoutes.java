package org.dmp.edge;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.dmp.edge.answer.HitAnswers;
import org.dmp.edge.dcs.EventHandler;
import org.dmp.edge.http.CorsStep;
import org.dmp.edge.http.FailureHandler;
import org.dmp.edge.http.FormSteps;
import org.dmp.edge.identity.CookieRenewal;
import org.dmp.edge.identity.VisitorStep;
import org.dmp.edge.idservice.IdServiceHandler;
import org.dmp.edge.idsync.IdSyncHandler;
import org.dmp.edge.optout.OptOutHandler;
import org.dmp.edge.optout.PendingOptOuts;
import org.dmp.edge.provider.RealtimeProviders;
import org.dmp.edge.tag.TagHandler;
import org.dmp.edge.visit.VisitEvents;
import org.dmp.edge.visit.VisitLog;
import org.dmp.taxonomy.CompiledTaxonomy;

/**
 * The DCS endpoints, each a pipeline of route steps: limits and form decoding, the visitor, then
 * the endpoint's own handler; every refusal and fault goes to one failure handler. Mounted once per
 * event loop, since the steps keep per-thread decoders and random generators.
 */
public final class DcsRoutes {
  private static final TagHandler TAG = new TagHandler();

  private DcsRoutes() {}

  public static void mount(
      Router router,
      EdgeConfig config,
      VisitLog log,
      RealtimeProviders providers,
      HitAnswers answers,
      Supplier<CompiledTaxonomy> taxonomy,
      PendingOptOuts optOuts,
      Clock clock) {
    FormSteps forms = new FormSteps(config.limits());
    VisitorStep visitor = new VisitorStep(config.cookie().name());
    VisitEvents events = new VisitEvents(config.region(), clock);
    CookieRenewal cookies =
        new CookieRenewal(config.cookie(), clock, config.browsers().trustForwardedProto());
    CorsStep cors = new CorsStep(config.browsers().allowedOrigins());

    // Every method, OPTIONS included: a preflight is answered by this step alone.
    router
        .routeWithRegex(
            "/event|"
                + Pattern.quote(IdSyncHandler.PATH_PREFIX)
                + ".*|"
                + Pattern.quote(OptOutHandler.PATH)
                + "|"
                + Pattern.quote(OptOutHandler.PATH_WITHOUT_EXTENSION)
                + "|"
                + Pattern.quote(IdServiceHandler.ID_PATH)
                + "|"
                + Pattern.quote(IdServiceHandler.OPT_OUT_STATUS_PATH))
        .handler(cors);
    router
        .route("/event")
        .method(HttpMethod.GET)
        .method(HttpMethod.POST)
        .handler(forms.queryOrBody())
        .handler(visitor)
        .handler(new EventHandler(events, log, cookies, providers, answers, taxonomy));
    router
        .getWithRegex(IdSyncHandler.PATH_PREFIX + ".*")
        .handler(forms.pathThenQuery(IdSyncHandler.PATH_PREFIX))
        .handler(visitor)
        .handler(
            new IdSyncHandler(events, log, cookies, taxonomy, config.browsers().redirectHosts()));
    IdServiceHandler idService =
        new IdServiceHandler(events, log, cookies, taxonomy, config.browsers().subdomain(), clock);
    for (String path : List.of(IdServiceHandler.ID_PATH, IdServiceHandler.OPT_OUT_STATUS_PATH)) {
      router.get(path).handler(forms.queryOrBody()).handler(visitor).handler(idService);
    }
    OptOutHandler optOut = new OptOutHandler(events, log, cookies, taxonomy, optOuts);
    for (String path : List.of(OptOutHandler.PATH, OptOutHandler.PATH_WITHOUT_EXTENSION)) {
      router.get(path).handler(forms.queryOrBody()).handler(visitor).handler(optOut);
    }
    router.get(TagHandler.PATH).handler(TAG);
    router.route().failureHandler(new FailureHandler(config.produce().retryAfter()));
  }
}
