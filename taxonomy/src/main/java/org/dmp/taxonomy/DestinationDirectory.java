package org.dmp.taxonomy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dmp.avro.CookieTarget;
import org.dmp.avro.Destination;
import org.dmp.avro.DestinationType;

/** A taxonomy's destinations, as declared and by the segments mapped to them. Immutable. */
public final class DestinationDirectory {
  private final List<Destination> destinations;
  private final Map<Long, List<CookieDestination>> cookiesBySegment = new HashMap<>();
  private final Map<Long, List<UrlDestination>> urlsBySegment = new HashMap<>();

  /**
   * A cookie destination's key-value for one segment: what the edge's answer sets as {@code stuff}.
   */
  public record CookieDestination(
      long destinationId, String cookieName, String value, int ttlDays, String domain) {}

  /** A URL destination's pixel for one segment, macros not yet expanded. */
  public record UrlDestination(long destinationId, String url) {}

  DestinationDirectory(List<Destination> declared) {
    this.destinations = List.copyOf(declared);
    for (Destination destination : declared) {
      destination
          .getMappings()
          .forEach(
              (segment, value) -> {
                long segmentId = Long.parseLong(segment);
                if (destination.getType() == DestinationType.COOKIE
                    && destination.getCookie() != null) {
                  CookieTarget cookie = destination.getCookie();
                  cookiesBySegment
                      .computeIfAbsent(segmentId, id -> new ArrayList<>())
                      .add(
                          new CookieDestination(
                              destination.getId(),
                              cookie.getCookieName(),
                              value,
                              cookie.getTtlDays(),
                              cookie.getDomain() == null ? "" : cookie.getDomain()));
                } else if (destination.getType() == DestinationType.URL) {
                  urlsBySegment
                      .computeIfAbsent(segmentId, id -> new ArrayList<>())
                      .add(new UrlDestination(destination.getId(), value));
                }
              });
    }
  }

  /** Every destination of the given type, as declared. */
  public List<Destination> ofType(DestinationType type) {
    return destinations.stream().filter(destination -> destination.getType() == type).toList();
  }

  public List<CookieDestination> cookies(long segmentId) {
    return cookiesBySegment.getOrDefault(segmentId, List.of());
  }

  public List<UrlDestination> urls(long segmentId) {
    return urlsBySegment.getOrDefault(segmentId, List.of());
  }
}
