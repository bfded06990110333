package org.dmp.console.populations;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.dmp.avro.Population;
import org.dmp.avro.PopulationBucket;
import org.dmp.avro.PopulationKind;

/**
 * The populations of dmp.populations as a table: each qualifier partition's count of each trait and
 * segment, added up when asked. Safe to read from any thread while the topic's follower writes.
 */
public final class Populations {
  /** By record key: kind, id and partition. */
  private final Map<String, Population> partials = new ConcurrentHashMap<>();

  /** A record of dmp.populations; a null population (a tombstone) drops the key. */
  public void put(String key, Population population) {
    if (population == null) {
      partials.remove(key);
    } else {
      partials.put(key, population);
    }
  }

  /** The members of every trait and segment counted: {@code {"traits": {"101": 3}, ...}}. */
  public JsonObject members() {
    Map<PopulationKind, Map<Long, Long>> sums = new TreeMap<>();
    for (Population partial : partials.values()) {
      sums.computeIfAbsent(partial.getKind(), any -> new TreeMap<>())
          .merge(partial.getId(), partial.getMembers(), Long::sum);
    }
    JsonObject answer =
        new JsonObject().put("traits", new JsonObject()).put("segments", new JsonObject());
    sums.forEach(
        (kind, members) -> {
          JsonObject of = answer.getJsonObject(plural(kind));
          members.forEach((id, count) -> of.put(Long.toString(id), count));
        });
    return answer;
  }

  /**
   * A trait's or segment's members now and, per hour and per day of event time, its joins, leaves
   * and members at the end; empty when nothing of it was counted.
   */
  public Optional<JsonObject> of(PopulationKind kind, long id) {
    List<Population> found =
        partials.values().stream()
            .filter(partial -> partial.getKind() == kind && partial.getId() == id)
            .toList();
    if (found.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new JsonObject()
            .put("kind", plural(kind))
            .put("id", id)
            .put("members", found.stream().mapToLong(Population::getMembers).sum())
            .put("hourly", merged(found, Population::getHourly))
            .put("daily", merged(found, Population::getDaily)));
  }

  static String plural(PopulationKind kind) {
    return kind == PopulationKind.TRAIT ? "traits" : "segments";
  }

  /**
   * The partitions' buckets added up. Where a partition has no bucket at a time, its members there
   * are those at the end of its latest earlier bucket (or before its first).
   */
  private static JsonArray merged(
      List<Population> partitions, Function<Population, List<PopulationBucket>> buckets) {
    TreeSet<Instant> starts = new TreeSet<>();
    partitions.forEach(
        partition -> buckets.apply(partition).forEach(bucket -> starts.add(bucket.getStart())));
    long[] joins = new long[starts.size()];
    long[] leaves = new long[starts.size()];
    long[] members = new long[starts.size()];
    List<Instant> times = new ArrayList<>(starts);
    for (Population partition : partitions) {
      List<PopulationBucket> own = buckets.apply(partition);
      if (own.isEmpty()) {
        for (int i = 0; i < times.size(); i++) {
          members[i] += partition.getMembers();
        }
        continue;
      }
      PopulationBucket first = own.get(0);
      long membersSoFar = first.getMembers() - (first.getJoins() - first.getLeaves());
      int next = 0;
      for (int i = 0; i < times.size(); i++) {
        if (next < own.size() && own.get(next).getStart().equals(times.get(i))) {
          PopulationBucket bucket = own.get(next++);
          joins[i] += bucket.getJoins();
          leaves[i] += bucket.getLeaves();
          membersSoFar = bucket.getMembers();
        }
        members[i] += membersSoFar;
      }
    }
    JsonArray answer = new JsonArray();
    for (int i = 0; i < times.size(); i++) {
      answer.add(
          new JsonObject()
              .put("start", times.get(i).toString())
              .put("joins", joins[i])
              .put("leaves", leaves[i])
              .put("members", members[i]));
    }
    return answer;
  }
}
