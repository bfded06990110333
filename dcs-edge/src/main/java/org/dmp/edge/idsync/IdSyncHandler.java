package org.dmp.edge.idsync;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.dmp.avro.EventSource;
import org.dmp.avro.PartnerId;
import org.dmp.edge.http.Form;
import org.dmp.edge.http.InvalidHit;
import org.dmp.edge.http.Responses;
import org.dmp.edge.identity.CookieRenewal;
import org.dmp.edge.identity.DeclaredIds;
import org.dmp.edge.identity.Visitor;
import org.dmp.edge.visit.VisitEvents;
import org.dmp.edge.visit.VisitLog;
import org.dmp.taxonomy.CompiledTaxonomy;

/**
 * {@code GET /ibs:dpid=<data source>&dpuuid=<partner user id>[&redir=<url>]}, after the form and
 * visitor steps: records that a partner knows this visitor by that id, then answers a pixel or
 * redirects to {@code redir} with {@code ${DD_UUID}} replaced by the visitor id (the partner's side
 * of the sync).
 */
public final class IdSyncHandler implements Handler<RoutingContext> {
  public static final String PATH_PREFIX = "/ibs:";
  private static final String VISITOR_MACRO = "${DD_UUID}";

  private final VisitEvents events;
  private final VisitLog log;
  private final CookieRenewal cookies;
  private final Supplier<CompiledTaxonomy> taxonomy;
  private final Set<String> redirectHosts;

  /**
   * @param redirectHosts hosts any sync may redirect to, beside those of its data source
   */
  public IdSyncHandler(
      VisitEvents events,
      VisitLog log,
      CookieRenewal cookies,
      Supplier<CompiledTaxonomy> taxonomy,
      Set<String> redirectHosts) {
    this.events = events;
    this.log = log;
    this.cookies = cookies;
    this.taxonomy = taxonomy;
    this.redirectHosts = redirectHosts;
  }

  /** The sync's parameters. */
  record IdSync(
      PartnerId partnerId, Optional<String> redirect, Map<String, List<String>> consent) {}

  @Override
  public void handle(RoutingContext context) {
    IdSync sync = parse(Form.of(context));
    sync.redirect().ifPresent(url -> checkTarget(url, sync.partnerId().getDataSourceId()));
    Visitor visitor = Visitor.of(context);
    if (visitor.optedOut()) {
      respond(context, sync, visitor.id());
      return;
    }
    log.append(
            events
                .start(context.request(), EventSource.ID_SYNC, visitor.id())
                .setPartnerIds(List.of(sync.partnerId()))
                .setSignals(sync.consent())
                .build())
        .onSuccess(logged -> respond(context, sync, visitor.id()))
        .onFailure(context::fail);
  }

  static IdSync parse(Form form) {
    long dataSourceId = DeclaredIds.dataSourceId(form.required("dpid"), "dpid");
    String partnerUserId = DeclaredIds.partnerUserId(form.required("dpuuid"), "dpuuid");
    Optional<String> redirect = form.single("redir").map(IdSyncHandler::redirect);
    Map<String, List<String>> consent = new LinkedHashMap<>();
    form.single("gdpr")
        .ifPresent(
            gdpr -> {
              if (!gdpr.equals("0") && !gdpr.equals("1")) {
                throw new InvalidHit("gdpr must be 0 or 1, was '" + gdpr + "'");
              }
              consent.put("d_gdpr", List.of(gdpr));
            });
    form.single("gdpr_consent").ifPresent(value -> consent.put("d_gdpr_consent", List.of(value)));
    return new IdSync(new PartnerId(dataSourceId, partnerUserId), redirect, consent);
  }

  private void respond(RoutingContext context, IdSync sync, String visitorId) {
    cookies.renew(context, visitorId);
    if (sync.redirect().isPresent()) {
      Responses.redirect(
          context.response(), sync.redirect().get().replace(VISITOR_MACRO, visitorId));
    } else {
      Responses.pixel(context.response());
    }
  }

  /**
   * An open redirect would send browsers, with the visitor id in the URL, anywhere a link names:
   * only the data source's own hosts, and the configured ones, are targets.
   */
  private void checkTarget(String url, long dataSourceId) {
    String host = URI.create(url.replace(VISITOR_MACRO, "0")).getHost().toLowerCase(Locale.ROOT);
    if (!redirectHosts.contains(host)
        && !taxonomy.get().dataSources().redirectHosts(dataSourceId).contains(host)) {
      throw new InvalidHit(
          "redir may only go to a host data source "
              + dataSourceId
              + " declares (redirectHosts, or its idSync URL's host), not "
              + host);
    }
  }

  /** Checks that {@code value} is an absolute http(s) URL; returned as given, macro and all. */
  private static String redirect(String value) {
    URI uri;
    try {
      // The macro's braces are not legal in a URI: check the URL with a stand-in for it.
      uri = new URI(value.replace(VISITOR_MACRO, "0"));
    } catch (URISyntaxException e) {
      throw new InvalidHit("redir must be an absolute http or https URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new InvalidHit("redir must be an absolute http or https URL");
    }
    return value;
  }
}
