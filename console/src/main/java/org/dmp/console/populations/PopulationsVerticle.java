package org.dmp.console.populations;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import org.dmp.avro.Population;
import org.dmp.avro.PopulationKind;
import org.dmp.console.access.JsonError;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.runtime.kafka.TopicFollower;
import org.dmp.schemas.topics.Topic;

/**
 * Trait and segment populations as the qualifier counts them, from dmp.populations: {@code GET
 * /api/populations} (every population's members) and {@code GET
 * /api/populations/traits|segments/<id>} (members now, and joins, leaves and members per hour and
 * per day). The topic is followed from the console's start to its stop.
 */
public final class PopulationsVerticle extends VerticleBase {
  private final KafkaClients kafka;
  private final Topic<String, Population> topic;
  private final Populations populations = new Populations();
  private TopicFollower follower;

  public PopulationsVerticle(KafkaClients kafka, Topic<String, Population> topic) {
    this.kafka = kafka;
    this.topic = topic;
  }

  @Override
  public Future<?> start() {
    follower =
        TopicFollower.start(
            "console-populations",
            kafka,
            topic.name(),
            record ->
                populations.put(
                    record.key(),
                    topic.values().deserializer().deserialize(topic.name(), record.value())));
    // The console serves while the past is read: populations fill in as it is.
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return Future.fromCompletionStage(follower.stop());
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("listPopulations").addHandler(context -> context.json(populations.members()));
    builder.getRoute("getPopulation").addHandler(this::population);
  }

  private void population(RoutingContext context) {
    String kind = context.pathParam("kind");
    String id = context.pathParam("id");
    long number;
    try {
      number = Long.parseLong(id);
    } catch (NumberFormatException notANumber) {
      JsonError.send(context, 400, "not an id: " + id);
      return;
    }
    PopulationKind of = kind.equals("traits") ? PopulationKind.TRAIT : PopulationKind.SEGMENT;
    populations
        .of(of, number)
        .ifPresentOrElse(
            context::json,
            () -> JsonError.send(context, 404, "nothing counted yet for " + kind + " " + id));
  }
}
