package org.dmp.edge.visit;

import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.dmp.avro.EventSource;
import org.dmp.avro.VisitEvent;

/**
 * Starts the event of a call with what the request itself tells: a new event id, the visitor, the
 * time it arrived, the source, the edge's region and the {@code h_} attributes from its headers.
 * Thread-safe.
 */
public final class VisitEvents {
  /** Request headers recorded as h_ attributes, as Audience Manager's DCS does. */
  private static final List<String> RECORDED_HEADERS =
      List.of("referer", "user-agent", "accept-language", "host");

  private static final List<String> ATTRIBUTE_NAMES =
      RECORDED_HEADERS.stream().map(header -> "h_" + header).toList();

  private final int region;
  private final Clock clock;

  public VisitEvents(int region, Clock clock) {
    this.region = region;
    this.clock = clock;
  }

  public VisitEvent.Builder start(HttpServerRequest request, EventSource source, String visitorId) {
    return VisitEvent.newBuilder()
        .setEventId(eventId())
        .setVisitorId(visitorId)
        .setTime(clock.instant())
        .setSource(source)
        .setRegion(region)
        .setHttpAttributes(httpAttributes(request))
        // Set rather than left to Avro's builder, which deep-copies each default on every build.
        .setRemovedTraits(List.of())
        .setRealizedTraits(List.of())
        .setPartnerIds(List.of())
        .setSignals(Map.of());
  }

  public int region() {
    return region;
  }

  private static String eventId() {
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
