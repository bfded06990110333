package org.dmp.edge.optout;

import org.dmp.schemas.VisitorId;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dmp.avro.EventSource;
import org.dmp.edge.Hits;
import org.dmp.edge.answer.Responses;
import org.dmp.edge.dcs.FormDecoder;
import org.dmp.edge.dcs.DcsCallParser;
import org.dmp.edge.dcs.InvalidCall;

/**
 * {@code GET /demoptout.jpg}: marks the browser {@code NOTARGET} for ten years. When the visitor is
 * known (cookie or d_uuid), an opt-out event tells the rest of the platform to forget them and to
 * remove their segments at partners; that event is acknowledged by Kafka before the answer.
 */
public final class OptOutHandler implements Handler<RoutingContext> {
  public static final String PATH = "/demoptout.jpg";

  private final Hits hits;
  private final FormDecoder decoder;

  public OptOutHandler(Hits hits) {
    this.hits = hits;
    this.decoder = new FormDecoder(hits.config().limits().maxKeys(), hits.config().limits().maxKeyLength());
  }

  @Override
  public void handle(RoutingContext context) {
    Optional<String> declared;
    try {
      declared = declaredVisitor(FormDecoder.merged(decoder.decode(context.request().query())));
    } catch (InvalidCall invalid) {
      hits.fail(context, invalid);
      return;
    }
    Optional<String> known = hits.knownVisitor(context, declared).filter(id -> !id.equals(VisitorId.OPTED_OUT));
    if (known.isEmpty()) {
      respond(context);
      return;
    }
    hits.publish(hits.event(context, EventSource.OPT_OUT, known.get()).build())
        .onSuccess(acknowledged -> respond(context))
        .onFailure(failure -> hits.fail(context, failure));
  }

  private static Optional<String> declaredVisitor(Map<String, List<String>> params) {
    List<String> values = params.getOrDefault("d_uuid", List.of());
    if (values.isEmpty()) {
      return Optional.empty();
    }
    if (values.size() > 1) {
      throw new InvalidCall("d_uuid must be given once, was given " + values.size() + " times");
    }
    return Optional.of(DcsCallParser.visitorId(values.get(0)));
  }

  private void respond(RoutingContext context) {
    hits.renewCookie(context, VisitorId.OPTED_OUT);
    Responses.pixel(context.response());
  }
}
