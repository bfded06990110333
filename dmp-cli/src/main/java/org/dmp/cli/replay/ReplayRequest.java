package org.dmp.cli.replay;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.dmp.avro.Segment;
import org.dmp.taxonomy.CompiledTaxonomy;

/**
 * What a replay run is asked, validated: a bad option is refused before anything is read or
 * written, with a message naming it.
 *
 * @param from visitors with an event, or a change by time, at or after this are compared
 * @param to events after this are not read; empty: up to the end of the log as the run starts
 * @param taxonomy the run's taxonomy
 * @param taxonomySource where it came from, for the run's record
 * @param segments the segments compared
 * @param visitors only these visitors, when given
 * @param warmUp how long before {@code from} reading starts, so that profiles stand at {@code from}
 *     as the log says; empty: from the log's beginning (a trait that counts forever)
 */
public record ReplayRequest(
    Instant from,
    Optional<Instant> to,
    CompiledTaxonomy taxonomy,
    String taxonomySource,
    Set<Long> segments,
    Optional<Set<String>> visitors,
    Optional<Duration> warmUp) {

  public ReplayRequest {
    segments = Set.copyOf(segments);
    visitors = visitors.map(Set::copyOf);
  }

  /** Where reading starts: {@code from} less the warm-up, or the log's beginning. */
  public Instant readFrom() {
    return warmUp.map(from::minus).orElse(Instant.EPOCH);
  }

  /** The traits the run's segments count, in id order: what the run recomputes. */
  public List<Long> traits() {
    java.util.TreeSet<Long> traits = new java.util.TreeSet<>();
    for (long id : segments) {
      taxonomy.segments().segment(id).rule().traits().forEach(traits::add);
    }
    return List.copyOf(traits);
  }

  /**
   * An ISO-8601 instant ({@code 2026-10-01T00:00:00Z}) or a date, taken as its start in UTC.
   *
   * @throws IllegalArgumentException naming the option
   */
  static Instant time(String option, String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException notAnInstant) {
      try {
        return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException notADate) {
        throw new IllegalArgumentException(
            option
                + " '"
                + value
                + "' is not an ISO-8601 time such as 2026-10-01T00:00:00Z or a date such as"
                + " 2026-10-01");
      }
    }
  }

  /** Checks that {@code from} comes before {@code to} and neither is in the future. */
  static void checkRange(Instant from, Optional<Instant> to, Instant now) {
    if (from.isAfter(now)) {
      throw new IllegalArgumentException("--from " + from + " is in the future (now " + now + ")");
    }
    to.ifPresent(
        end -> {
          if (!from.isBefore(end)) {
            throw new IllegalArgumentException(
                "--from " + from + " is not before --to " + end + ": nothing to replay");
          }
        });
  }

  /**
   * The segments named, each checked against the taxonomy; none named: every segment of it.
   *
   * @throws IllegalArgumentException naming the segments the taxonomy lacks
   */
  static Set<Long> segments(List<Long> named, CompiledTaxonomy taxonomy) {
    if (named == null || named.isEmpty()) {
      Set<Long> all = new TreeSet<>();
      taxonomy.source().segments().stream().map(Segment::getId).forEach(all::add);
      return all;
    }
    List<Long> unknown =
        named.stream().filter(id -> taxonomy.segments().segment(id) == null).toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "--segments: the run's taxonomy has no segment " + unknown);
    }
    return new TreeSet<>(named);
  }

  /**
   * The longest a realization can count for any of {@code segments}: the longest TTL of the traits
   * they count (a recency window only shortens it); empty when one counts forever.
   */
  static Optional<Duration> longestWindow(Set<Long> segments, CompiledTaxonomy taxonomy) {
    Duration longest = Duration.ZERO;
    for (long id : segments) {
      for (long trait : taxonomy.segments().segment(id).rule().traits()) {
        Duration ttl = taxonomy.traits().ttl(trait);
        if (ttl == null) {
          return Optional.empty();
        }
        longest = ttl.compareTo(longest) > 0 ? ttl : longest;
      }
    }
    return Optional.of(longest);
  }

  /** The visitor ids in a file, one per line; blank lines and # comments are skipped. */
  static Set<String> visitors(String file, List<String> lines) {
    Set<String> visitors = new TreeSet<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (!line.chars().allMatch(Character::isDigit)) {
        problems.add(file + ":" + (i + 1) + ": '" + line + "' is not a visitor id (digits)");
      } else {
        visitors.add(line);
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems));
    }
    if (visitors.isEmpty()) {
      throw new IllegalArgumentException("--visitors " + file + " names no visitor");
    }
    return visitors;
  }
}
