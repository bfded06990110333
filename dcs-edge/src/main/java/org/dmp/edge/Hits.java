package org.dmp.edge;

import org.dmp.schemas.VisitorId;
import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.dmp.avro.EventSource;
import org.dmp.avro.VisitEvent;
import org.dmp.edge.answer.Responses;
import org.dmp.edge.dcs.InvalidCall;
import org.dmp.edge.dcs.RequestBody;
import org.dmp.edge.identity.VisitorIds;
import org.dmp.edge.publish.Unavailable;
import org.dmp.edge.publish.VisitPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every endpoint does with a hit: find the visitor, stamp the event with what the request
 * tells (time, region, HTTP attributes), publish it, renew the cookie, and turn failures into the
 * right answer. One per event loop.
 */
public final class Hits {
  private static final Logger LOG = LoggerFactory.getLogger(Hits.class);
  /** Request headers recorded as h_ attributes, as Audience Manager's DCS does. */
  private static final List<String> RECORDED_HEADERS = List.of("referer", "user-agent", "accept-language", "host");
  private static final List<String> ATTRIBUTE_NAMES = RECORDED_HEADERS.stream().map(header -> "h_" + header).toList();

  private final EdgeConfig config;
  private final VisitPublisher publisher;
  private final EdgeMetrics metrics;
  private final Clock clock;
  private final VisitorIds ids = new VisitorIds();
  /** The cookie's Expires dates, formatted once a second. */
  private long expiresSecond = Long.MIN_VALUE;
  private String visitorExpires;
  private String optOutExpires;

  public Hits(EdgeConfig config, VisitPublisher publisher, EdgeMetrics metrics, Clock clock) {
    this.config = config;
    this.publisher = publisher;
    this.metrics = metrics;
    this.clock = clock;
  }

  public EdgeConfig config() {
    return config;
  }

  /** The visitor the request is about (cookie, then d_uuid), or empty for a new visitor. */
  public Optional<String> knownVisitor(RoutingContext context, Optional<String> declared) {
    Cookie cookie = context.request().getCookie(config.cookie().name());
    return VisitorIds.known(Optional.ofNullable(cookie).map(Cookie::getValue), declared);
  }

  public String newVisitorId() {
    return ids.next();
  }

  /** An event of this request with id, visitor, time, source, region and h_ attributes set, and no traits removed (only onboarding removes them). */
  public VisitEvent.Builder event(RoutingContext context, EventSource source, String visitorId) {
    return VisitEvent.newBuilder()
        .setEventId(transactionId())
        .setVisitorId(visitorId)
        .setTime(clock.instant())
        .setSource(source)
        .setRegion(config.region())
        .setHttpAttributes(httpAttributes(context.request()))
        // Set rather than left to Avro's builder, which deep-copies each default on every build.
        .setRemovedTraits(List.of());
  }

  /** Publishes the event; the future completes once Kafka acknowledged it. */
  public Future<RecordMetadata> publish(VisitEvent event) {
    long sent = System.nanoTime();
    return publisher.publish(event)
        .onSuccess(acknowledged -> metrics.recordProduce(Duration.ofNanos(System.nanoTime() - sent), event.getTime().toEpochMilli()));
  }

  /** Sets or renews the visitor cookie on the answer. */
  public void renewCookie(RoutingContext context, String visitorId) {
    Instant now = clock.instant();
    if (now.getEpochSecond() != expiresSecond) {
      expiresSecond = now.getEpochSecond();
      visitorExpires = config.cookie().expires(now, false);
      optOutExpires = config.cookie().expires(now, true);
    }
    boolean optedOut = visitorId.equals(VisitorId.OPTED_OUT);
    context.response().putHeader(HttpHeaders.SET_COOKIE, config.cookie().header(visitorId, optedOut ? optOutExpires : visitorExpires));
  }

  /** Answers a failed hit: 400, 413, 415 or 503 as the failure says; anything else is a fault of ours. */
  public void fail(RoutingContext context, Throwable failure) {
    if (context.response().ended()) {
      return;
    }
    if (failure instanceof InvalidCall) {
      Responses.error(context.response(), 400, failure.getMessage());
    } else if (failure instanceof RequestBody.TooLarge) {
      context.response().putHeader("Connection", "close");
      Responses.error(context.response(), 413, failure.getMessage());
    } else if (failure instanceof RequestBody.NotAForm) {
      Responses.error(context.response(), 415, failure.getMessage());
    } else if (failure instanceof Unavailable) {
      Responses.unavailable(context.response(), config.produce().retryAfter(), failure.getMessage());
    } else {
      LOG.error("Failed to answer {} {}", context.request().method(), context.request().path(), failure);
      Responses.error(context.response(), 500, "the edge failed to handle the call");
    }
  }

  private static String transactionId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }

  private static Map<String, String> httpAttributes(HttpServerRequest request) {
    Map<String, String> attributes = new HashMap<>();
    for (int i = 0; i < RECORDED_HEADERS.size(); i++) {
      String value = request.getHeader(RECORDED_HEADERS.get(i));
      if (value != null) {
        attributes.put(ATTRIBUTE_NAMES.get(i), value);
      }
    }
    return attributes;
  }
}
