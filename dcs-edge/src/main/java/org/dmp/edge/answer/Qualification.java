package org.dmp.edge.answer;

import java.util.List;
import java.util.Objects;

/**
 * What the platform knows of a visitor right after their hit: the answer's {@code stuff}, {@code
 * dests}, {@code traits} and {@code segments}.
 *
 * @param stuff cookie destinations to set
 * @param dests URL destinations to fire, macros already expanded
 * @param traits trait ids the visitor realized
 * @param segments segment ids the visitor belongs to
 * @param stale true when the qualifier did not answer in time and these are the last known ones
 */
public record Qualification(
    List<CookieDestination> stuff,
    List<UrlDestination> dests,
    List<Long> traits,
    List<Long> segments,
    boolean stale) {
  public static final Qualification NONE =
      new Qualification(List.of(), List.of(), List.of(), List.of(), false);

  public Qualification {
    stuff = List.copyOf(stuff);
    dests = List.copyOf(dests);
    traits = List.copyOf(traits);
    segments = List.copyOf(segments);
  }

  /**
   * A URL destination to fire: {@code {"c", "e", "y", "id"}} in the answer, as DIL reads it.
   *
   * @param url its URL, macros expanded
   */
  public record UrlDestination(long destinationId, String url) {
    public UrlDestination {
      Objects.requireNonNull(url, "url");
    }

    /** The URL for a page served over HTTPS: the same with an https scheme. */
    public String secureUrl() {
      return url.regionMatches(true, 0, "http://", 0, 7) ? "https://" + url.substring(7) : url;
    }
  }

  /** A cookie destination: {@code {"cn", "cv", "ttl", "dmn"}} in the answer. */
  public record CookieDestination(String name, String value, int ttlDays, String domain) {
    public CookieDestination {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(domain, "domain");
    }
  }
}
