package org.dmp.sync.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.dmp.avro.DeadLetter;
import org.dmp.avro.DeliveryChannel;
import org.dmp.avro.DeliveryOutcome;
import org.dmp.avro.Destination;
import org.dmp.avro.DestinationType;
import org.dmp.avro.PartnerSegmentUpdate;
import org.dmp.runtime.kafka.DeadLetters;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.topics.Topic;
import org.dmp.sync.destination.PartnerChange;
import org.dmp.sync.destination.UserChange;
import org.dmp.sync.record.DeliveryRecord;
import org.dmp.taxonomy.CompiledTaxonomy;

/**
 * Sends dead letters again, when an operator asks ({@code POST /deadletters/resend}): each under
 * its original idempotency key with the body it had, signed with the destination's secret as it
 * stands, to the destination's url as it stands. So a partner that saw the request before drops it
 * as a repeat, and one that never did gets what it would have got. Each try is recorded on the
 * deliveries topic; a letter that fails again stays where it is, to be sent again later.
 */
public final class DeadLetterResend {
  private static final Duration READ_FOR = Duration.ofMinutes(1);

  /** What became of one letter. */
  public enum Outcome {
    DELIVERED,
    FAILED,
    NOT_FOUND,
    NOT_RESENDABLE
  }

  private final Vertx vertx;
  private final WebClient client;
  private final KafkaClients kafka;
  private final Topic<String, DeadLetter> topic;
  private final Supplier<CompiledTaxonomy> taxonomy;
  private final HttpSettings settings;
  private final DeliveryRecord record;
  private final Function<String, Optional<String>> environment;
  private final Clock clock;

  /**
   * @param environment where signing secrets are looked up by their variable's name
   */
  public DeadLetterResend(
      Vertx vertx,
      KafkaClients kafka,
      Topic<String, DeadLetter> topic,
      Supplier<CompiledTaxonomy> taxonomy,
      HttpSettings settings,
      DeliveryRecord record,
      Function<String, Optional<String>> environment,
      Clock clock) {
    this.vertx = vertx;
    this.client = WebClient.create(vertx);
    this.kafka = kafka;
    this.topic = topic;
    this.taxonomy = taxonomy;
    this.settings = settings;
    this.record = record;
    this.environment = environment;
    this.clock = clock;
  }

  /** One answer per position, in their order; never fails for a letter's sake. */
  public Future<JsonArray> resend(List<DeadLetters.Position> positions) {
    return vertx
        .executeBlocking(() -> DeadLetters.at(kafka, topic, positions, READ_FOR), false)
        .compose(
            found ->
                Future.all(
                        positions.stream()
                            .map(position -> resend(position, found.get(position)))
                            .toList())
                    .map(
                        all -> {
                          JsonArray answers = new JsonArray();
                          for (int i = 0; i < positions.size(); i++) {
                            answers.add(all.<JsonObject>resultAt(i));
                          }
                          return answers;
                        }));
  }

  private Future<JsonObject> resend(DeadLetters.Position position, DeadLetters.Letter found) {
    JsonObject answer = new JsonObject().put("position", position.toString());
    if (found == null) {
      return Future.succeededFuture(
          answer.put("outcome", Outcome.NOT_FOUND).put("detail", "no dead letter there"));
    }
    DeadLetter letter = found.letter();
    answer
        .put("destinationId", letter.getDestinationId())
        .put("idempotencyKey", letter.getIdempotencyKey());
    Optional<Destination> destination =
        taxonomy.get().destinations().ofType(DestinationType.HTTP).stream()
            .filter(candidate -> candidate.getId() == letter.getDestinationId())
            .findFirst();
    if (letter.getChannel() != DeliveryChannel.HTTP || destination.isEmpty()) {
      return Future.succeededFuture(
          answer
              .put("outcome", Outcome.NOT_RESENDABLE)
              .put(
                  "detail",
                  "destination "
                      + letter.getDestinationId()
                      + " is not an http destination of the taxonomy in force"));
    }
    Optional<Signer> signer;
    try {
      signer =
          Optional.ofNullable(destination.get().getHttp().getSigning())
              .map(signing -> Signer.of(signing, environment));
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(
          answer.put("outcome", Outcome.NOT_RESENDABLE).put("detail", e.getMessage()));
    }
    byte[] body = bodyOf(letter, destination.get());
    HttpSender sender =
        new HttpSender(
            client,
            destination.get().getHttp().getUrl(),
            signer.map(Signer::header),
            settings.timeout(),
            clock);
    return sender
        .send(letter.getIdempotencyKey(), Buffer.buffer(body), signer.map(sign -> sign.sign(body)))
        .compose(
            sent -> {
              DeliveryOutcome outcome =
                  sent.delivered() ? DeliveryOutcome.DELIVERED : DeliveryOutcome.DEAD_LETTERED;
              String detail =
                  sent.delivered()
                      ? "dead letter " + position + " sent again"
                      : "dead letter " + position + " sent again and failed: " + sent.failure();
              DeliveryRecord.Attempt attempt =
                  new DeliveryRecord.Attempt(
                      letter.getDestinationId(),
                      DeliveryChannel.HTTP,
                      letter.getIdempotencyKey(),
                      letter.getUpdates().stream()
                          .map(PartnerSegmentUpdate::getVisitorId)
                          .distinct()
                          .toList(),
                      letter.getAttempts() + 1,
                      outcome,
                      sent.status().orElse(null),
                      sent.took(),
                      detail);
              return Future.fromCompletionStage(record.attempt(attempt), vertx.getOrCreateContext())
                  .map(
                      recorded ->
                          answer
                              .put("outcome", sent.delivered() ? Outcome.DELIVERED : Outcome.FAILED)
                              .put("detail", detail));
            });
  }

  /**
   * The body the letter was to carry; for a letter written before letters kept it, one made again
   * from its changes (each user's gained values as in, lost ones as out, region unknown).
   */
  private static byte[] bodyOf(DeadLetter letter, Destination destination) {
    ByteBuffer kept = letter.getBody();
    if (kept != null) {
      byte[] body = new byte[kept.remaining()];
      kept.duplicate().get(body);
      return body;
    }
    List<PartnerChange> changes =
        letter.getUpdates().stream()
            .map(
                update ->
                    new PartnerChange(
                        update.getDestinationId(),
                        update.getDataSourceId(),
                        update.getVisitorId(),
                        0,
                        new UserChange(
                            update.getPartnerUserId(), update.getRemoved(), update.getAdded()),
                        update.getTime(),
                        List.of()))
            .toList();
    return new RealtimeBatch(destination.getId(), new TopicPartition("unused", 0), 0, 0, changes)
        .body(
            destination.getId(),
            destination.getDataSourceId(),
            destination.getHttp().getClientId(),
            letter.getLastAttempt());
  }
}
