package org.dmp.edge.idsync;

import org.dmp.schemas.VisitorId;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.dmp.avro.EventSource;
import org.dmp.avro.PartnerId;
import org.dmp.avro.VisitEvent;
import org.dmp.edge.Hits;
import org.dmp.edge.answer.Responses;
import org.dmp.edge.dcs.DcsCallParser;
import org.dmp.edge.dcs.FormDecoder;
import org.dmp.edge.dcs.InvalidCall;

/**
 * {@code GET /ibs:dpid=<data source>&dpuuid=<partner user id>[&redir=<url>]}: records that a
 * partner knows this visitor by that id, then answers a pixel or redirects to {@code redir} with
 * {@code ${DD_UUID}} replaced by the visitor id (the partner's side of the sync).
 */
public final class IdSyncHandler implements Handler<RoutingContext> {
  public static final String PATH_PREFIX = "/ibs:";
  private static final String VISITOR_MACRO = "${DD_UUID}";

  private final Hits hits;
  private final FormDecoder decoder;

  public IdSyncHandler(Hits hits) {
    this.hits = hits;
    this.decoder = new FormDecoder(hits.config().limits().maxKeys(), hits.config().limits().maxKeyLength(), false);
  }

  /** The sync's parameters: after {@code /ibs:} in the path, then any query string. */
  record IdSync(PartnerId partnerId, Optional<String> redirect, Optional<String> declaredVisitorId, Map<String, List<String>> consent) {}

  @Override
  public void handle(RoutingContext context) {
    if (context.request().uri().length() > hits.config().limits().maxUrlBytes()) {
      Responses.error(context.response(), 414, "the URL is longer than " + hits.config().limits().maxUrlBytes() + " bytes");
      return;
    }
    IdSync sync;
    try {
      sync = parse(context.request().path().substring(PATH_PREFIX.length()), context.request().query());
    } catch (InvalidCall invalid) {
      hits.fail(context, invalid);
      return;
    }
    Optional<String> known = hits.knownVisitor(context, sync.declaredVisitorId());
    if (known.filter(VisitorId.OPTED_OUT::equals).isPresent()) {
      respond(context, sync, VisitorId.OPTED_OUT);
      return;
    }
    String visitorId = known.orElseGet(hits::newVisitorId);
    VisitEvent event = hits.event(context, EventSource.ID_SYNC, visitorId)
        .setPartnerIds(List.of(sync.partnerId()))
        .setSignals(sync.consent())
        .build();
    hits.publish(event)
        .onSuccess(acknowledged -> respond(context, sync, visitorId))
        .onFailure(failure -> hits.fail(context, failure));
  }

  IdSync parse(String pathParams, String query) {
    List<FormDecoder.Param> params = new ArrayList<>(decoder.decode(pathParams));
    params.addAll(decoder.decode(query));
    Map<String, List<String>> byKey = FormDecoder.merged(params);
    long dataSourceId = DcsCallParser.dataSourceId(required(byKey, "dpid"), "dpid");
    String partnerUserId = DcsCallParser.partnerUserId(required(byKey, "dpuuid"), "dpuuid");
    Optional<String> redirect = optional(byKey, "redir").map(IdSyncHandler::redirect);
    Optional<String> declared = optional(byKey, "d_uuid").map(DcsCallParser::visitorId);
    Map<String, List<String>> consent = new java.util.LinkedHashMap<>();
    optional(byKey, "gdpr").ifPresent(gdpr -> {
      if (!gdpr.equals("0") && !gdpr.equals("1")) {
        throw new InvalidCall("gdpr must be 0 or 1, was '" + gdpr + "'");
      }
      consent.put("d_gdpr", List.of(gdpr));
    });
    optional(byKey, "gdpr_consent").ifPresent(value -> consent.put("d_gdpr_consent", List.of(value)));
    return new IdSync(new PartnerId(dataSourceId, partnerUserId), redirect, declared, consent);
  }

  private void respond(RoutingContext context, IdSync sync, String visitorId) {
    hits.renewCookie(context, visitorId);
    if (sync.redirect().isPresent()) {
      context.response().setStatusCode(302)
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
          .putHeader(HttpHeaders.LOCATION, sync.redirect().get().replace(VISITOR_MACRO, visitorId))
          .end();
    } else {
      Responses.pixel(context.response());
    }
  }

  /** Checks that {@code value} is an absolute http(s) URL; returned as given, macro and all. */
  private static String redirect(String value) {
    URI uri;
    try {
      // The macro's braces are not legal in a URI: check the URL with a stand-in for it.
      uri = new URI(value.replace(VISITOR_MACRO, "0"));
    } catch (URISyntaxException e) {
      throw new InvalidCall("redir must be an absolute http or https URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new InvalidCall("redir must be an absolute http or https URL");
    }
    return value;
  }

  private static String required(Map<String, List<String>> byKey, String key) {
    return optional(byKey, key).orElseThrow(() -> new InvalidCall(key + " is required"));
  }

  private static Optional<String> optional(Map<String, List<String>> byKey, String key) {
    List<String> values = byKey.get(key);
    if (values == null || values.isEmpty()) {
      return Optional.empty();
    }
    if (values.size() > 1) {
      throw new InvalidCall(key + " takes exactly one value, got " + values.size());
    }
    return Optional.of(values.get(0));
  }
}
