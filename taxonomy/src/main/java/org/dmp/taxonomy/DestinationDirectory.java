package org.dmp.taxonomy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dmp.avro.CookieTarget;
import org.dmp.avro.Destination;
import org.dmp.avro.DestinationType;

/** A taxonomy's destinations, as declared and by the segments mapped to them. Immutable. */
public final class DestinationDirectory {
  private final List<Destination> destinations;
  private final Map<Long, List<Mapped>> cookiesBySegment = new HashMap<>();
  private final Map<Long, List<UrlDestination>> urlsBySegment = new HashMap<>();

  /**
   * A cookie destination's one cookie for a visitor: what the edge's answer sets as a {@code stuff}
   * entry, every mapped segment of the visitor serialized into its value.
   */
  public record CookieDestination(
      long destinationId, String cookieName, String value, int ttlDays, String domain) {}

  /**
   * A URL destination's pixel for one segment, macros not yet expanded.
   *
   * @param alias what {@code %alias%} stands for: the segment's mapping value under a URL template,
   *     else the segment id
   */
  public record UrlDestination(long destinationId, String url, String alias) {}

  /** A cookie destination's value for one segment. */
  private record Mapped(Destination destination, String value) {}

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
                  cookiesBySegment
                      .computeIfAbsent(segmentId, id -> new ArrayList<>())
                      .add(new Mapped(destination, value));
                } else if (destination.getType() == DestinationType.URL) {
                  String template = destination.getUrlTemplate();
                  urlsBySegment
                      .computeIfAbsent(segmentId, id -> new ArrayList<>())
                      .add(
                          template == null
                              ? new UrlDestination(destination.getId(), value, segment)
                              : new UrlDestination(destination.getId(), template, value));
                }
              });
    }
  }

  /** Every destination of the given type, as declared. */
  public List<Destination> ofType(DestinationType type) {
    return destinations.stream().filter(destination -> destination.getType() == type).toList();
  }

  /**
   * One cookie per cookie destination that maps any of {@code segments}, its value every mapped
   * value of those segments in their order, in the destination's key-value format.
   */
  public List<CookieDestination> cookies(Collection<Long> segments) {
    Map<Long, Destination> bySegmentOrder = new LinkedHashMap<>();
    Map<Long, Set<String>> values = new HashMap<>();
    for (Long segment : segments) {
      for (Mapped mapped : cookiesBySegment.getOrDefault(segment, List.of())) {
        long id = mapped.destination().getId();
        bySegmentOrder.putIfAbsent(id, mapped.destination());
        values.computeIfAbsent(id, key -> new LinkedHashSet<>()).add(mapped.value());
      }
    }
    List<CookieDestination> cookies = new ArrayList<>(bySegmentOrder.size());
    bySegmentOrder.forEach(
        (id, destination) -> {
          CookieTarget cookie = destination.getCookie();
          cookies.add(
              new CookieDestination(
                  id,
                  cookie.getCookieName(),
                  serialized(cookie, values.get(id)),
                  cookie.getTtlDays(),
                  cookie.getDomain() == null ? "" : cookie.getDomain()));
        });
    return cookies;
  }

  /**
   * Standard pairs ({@code seg=shoes&seg=sports}), or with a serial delimiter the values of a key
   * in one pair ({@code seg=shoes;sports}), as Audience Manager formats key-value destinations. A
   * value without the key-value delimiter stands alone.
   */
  static String serialized(CookieTarget cookie, Collection<String> values) {
    String keyValue = cookie.getKeyValueDelimiter();
    if (cookie.getSerialDelimiter() == null) {
      return String.join(cookie.getPairDelimiter(), values);
    }
    Map<String, List<String>> byKey = new LinkedHashMap<>();
    for (String value : values) {
      int at = value.indexOf(keyValue);
      if (at < 0) {
        byKey.computeIfAbsent(value, key -> new ArrayList<>());
      } else {
        byKey
            .computeIfAbsent(value.substring(0, at), key -> new ArrayList<>())
            .add(value.substring(at + keyValue.length()));
      }
    }
    List<String> pairs = new ArrayList<>(byKey.size());
    byKey.forEach(
        (key, keyValues) ->
            pairs.add(
                keyValues.isEmpty()
                    ? key
                    : key + keyValue + String.join(cookie.getSerialDelimiter(), keyValues)));
    return String.join(cookie.getPairDelimiter(), pairs);
  }

  public List<UrlDestination> urls(long segmentId) {
    return urlsBySegment.getOrDefault(segmentId, List.of());
  }
}
