package org.dmp.edge;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import java.time.Clock;
import org.dmp.edge.answer.HitAnswers;
import org.dmp.edge.dcs.EventHandler;
import org.dmp.edge.http.FailureHandler;
import org.dmp.edge.http.FormSteps;
import org.dmp.edge.identity.CookieRenewal;
import org.dmp.edge.identity.VisitorStep;
import org.dmp.edge.idsync.IdSyncHandler;
import org.dmp.edge.optout.OptOutHandler;
import org.dmp.edge.provider.RealtimeProviders;
import org.dmp.edge.visit.VisitEvents;
import org.dmp.edge.visit.VisitLog;

/**
 * The DCS endpoints, each a pipeline of route steps: limits and form decoding, the visitor, then
 * the endpoint's own handler; every refusal and fault goes to one failure handler. Mounted once per
 * event loop, since the steps keep per-thread decoders and random generators.
 */
public final class DcsRoutes {
  private DcsRoutes() {}

  public static void mount(
      Router router,
      EdgeConfig config,
      VisitLog log,
      RealtimeProviders providers,
      HitAnswers answers,
      Clock clock) {
    FormSteps forms = new FormSteps(config.limits());
    VisitorStep visitor = new VisitorStep(config.cookie().name());
    VisitEvents events = new VisitEvents(config.region(), clock);
    CookieRenewal cookies = new CookieRenewal(config.cookie(), clock);

    router
        .route("/event")
        .method(HttpMethod.GET)
        .method(HttpMethod.POST)
        .handler(forms.queryOrBody())
        .handler(visitor)
        .handler(new EventHandler(events, log, cookies, providers, answers));
    router
        .getWithRegex(IdSyncHandler.PATH_PREFIX + ".*")
        .handler(forms.pathThenQuery(IdSyncHandler.PATH_PREFIX))
        .handler(visitor)
        .handler(new IdSyncHandler(events, log, cookies));
    router
        .get(OptOutHandler.PATH)
        .handler(forms.queryOrBody())
        .handler(visitor)
        .handler(new OptOutHandler(events, log, cookies));
    router.route().failureHandler(new FailureHandler(config.produce().retryAfter()));
  }
}
