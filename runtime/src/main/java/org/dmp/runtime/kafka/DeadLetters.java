package org.dmp.runtime.kafka;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.dmp.avro.DeadLetter;
import org.dmp.avro.PartnerSegmentUpdate;
import org.dmp.schemas.serde.RecordDecodingException;
import org.dmp.schemas.topics.Topic;

/**
 * The dead letters on their topic, each named by its position there ({@code partition:offset}), for
 * operators to browse and send again ({@code dmp deadletters}, the console, partner sync's resend).
 * Reads the whole topic, which holds only what could not be delivered. Blocks.
 */
public final class DeadLetters {
  private DeadLetters() {}

  /** Where a dead letter is on its topic. */
  public record Position(int partition, long offset) {
    /**
     * @throws IllegalArgumentException unless {@code text} is {@code <partition>:<offset>}
     */
    public static Position parse(String text) {
      int colon = text.indexOf(':');
      try {
        if (colon > 0) {
          Position position =
              new Position(
                  Integer.parseInt(text.substring(0, colon)),
                  Long.parseLong(text.substring(colon + 1)));
          if (position.partition >= 0 && position.offset >= 0) {
            return position;
          }
        }
      } catch (NumberFormatException notNumbers) {
        // Said below.
      }
      throw new IllegalArgumentException(
          "a dead letter is named <partition>:<offset>, as listed; not " + text);
    }

    @Override
    public String toString() {
      return partition + ":" + offset;
    }
  }

  /** A dead letter and where it is. */
  public record Letter(Position position, DeadLetter letter) {
    /** As operators see it: what was to be sent, to whom, and why it was not. */
    public JsonObject toJson() {
      JsonArray updates = new JsonArray();
      for (PartnerSegmentUpdate update : letter.getUpdates()) {
        updates.add(
            new JsonObject()
                .put("visitorId", update.getVisitorId())
                .put("partnerUserId", update.getPartnerUserId())
                .put("added", new JsonArray(List.copyOf(update.getAdded())))
                .put("removed", new JsonArray(List.copyOf(update.getRemoved())))
                .put("time", update.getTime().toString()));
      }
      return new JsonObject()
          .put("position", position.toString())
          .put("destinationId", letter.getDestinationId())
          .put("channel", letter.getChannel().name())
          .put("idempotencyKey", letter.getIdempotencyKey())
          .put("reason", letter.getReason())
          .put("attempts", letter.getAttempts())
          .put("firstAttempt", letter.getFirstAttempt().toString())
          .put("lastAttempt", letter.getLastAttempt().toString())
          .put("users", letter.getUpdates().size())
          .put("updates", updates);
    }
  }

  /**
   * @param undecodable records of the topic that could not be decoded
   */
  public record Read(List<Letter> letters, int undecodable) {}

  /**
   * The letters that {@code wanted} keeps, newest first.
   *
   * @param limit how long to read at most
   * @return empty when the topic does not exist
   */
  public static Optional<Read> read(
      KafkaClients kafka,
      Topic<String, DeadLetter> topic,
      Predicate<Letter> wanted,
      Duration limit) {
    List<Letter> letters = new ArrayList<>();
    int[] undecodable = {0};
    try (var consumer =
        TopicSnapshot.consumer(kafka, new StringDeserializer(), new ByteArrayDeserializer())) {
      boolean exists =
          TopicSnapshot.read(
              consumer,
              topic.name(),
              limit,
              record -> {
                try {
                  DeadLetter letter = topic.values().decode(topic.name(), record.value());
                  if (letter == null) {
                    return;
                  }
                  Letter found =
                      new Letter(new Position(record.partition(), record.offset()), letter);
                  if (wanted.test(found)) {
                    letters.add(found);
                  }
                } catch (RecordDecodingException e) {
                  undecodable[0]++;
                }
              });
      if (!exists) {
        return Optional.empty();
      }
    }
    letters.sort(
        Comparator.comparing((Letter letter) -> letter.letter().getLastAttempt()).reversed());
    return Optional.of(new Read(letters, undecodable[0]));
  }

  /** The letters at {@code positions}; a position with none is missing from the answer. */
  public static Map<Position, Letter> at(
      KafkaClients kafka,
      Topic<String, DeadLetter> topic,
      Collection<Position> positions,
      Duration limit) {
    Set<Position> wanted = Set.copyOf(positions);
    Map<Position, Letter> found = new HashMap<>();
    read(kafka, topic, letter -> wanted.contains(letter.position()), limit)
        .ifPresent(read -> read.letters().forEach(letter -> found.put(letter.position(), letter)));
    return found;
  }
}
