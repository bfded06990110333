package org.dmp.cli.replay;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.dmp.avro.ProfileUpdate;
import org.dmp.avro.ReplayCorrection;
import org.dmp.cli.KafkaConnection;
import org.dmp.cli.TopicsCommand;
import org.dmp.config.ConfigException;
import org.dmp.qualifier.QualifierConfig;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.topics.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code dmp replay backfill}: sends new destinations the current members of the segments they map,
 * without anyone visiting again. The live qualifier does the sending, as one update per member
 * meant for those destinations only, so it stays the one writer of every profile.
 */
@Command(
    name = "backfill",
    description = {
      "Sends destinations (new ones, say) every current member of the segments they map, as if",
      "each member had just got the partner id they are known by: one update per member, for",
      "these destinations only, with an idempotency key of its own (backfill-<time>:<visitor>)."
    })
final class BackfillCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Mixin private KafkaConnection connection;

  @Mixin private ApplyOptions applyOptions;

  @Override
  public Integer call() throws Exception {
    KafkaClients clients = connection.clients();
    Topics topics;
    QualifierConfig live;
    Duration wait;
    List<Long> destinations = applyOptions.destinations();
    Set<Long> mapped;
    try {
      if (destinations.isEmpty()) {
        throw new IllegalArgumentException("--destinations: name the destinations to backfill");
      }
      wait = applyOptions.waitLimit();
      topics = connection.topics();
      live = ReplayCommand.qualifierConfig(connection, clients);
      mapped =
          ReplayCommand.mappedSegments(
              ReplayCommand.taxonomyInForce(clients, topics, null), destinations);
    } catch (ConfigException | IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    TopicsCommand.createMissing(topics, clients);
    String name = "backfill-" + ReplayCommand.newId(Clock.systemUTC().instant());
    ReplayCorrection correction =
        ReplayCorrection.newBuilder()
            .setRun(name)
            .setFrom(Instant.EPOCH)
            .setTo(Instant.EPOCH)
            .setTraitRanges(List.of())
            .setRealizations(Map.of())
            .setDestinations(List.copyOf(destinations))
            .setBackfill(true)
            .build();
    PrintWriter out = spec.commandLine().getOut();
    boolean terminal = System.console() != null;
    long written;
    boolean applied;
    try (Corrections corrections = new Corrections(clients, topics, name)) {
      Map<String, ProfileUpdate> members =
          LiveSegments.latest(
              clients,
              topics,
              (visitor, update) ->
                  !update.getOptedOut()
                      && update.getSegments().stream().anyMatch(mapped::contains));
      for (Map.Entry<String, ProfileUpdate> member : members.entrySet()) {
        // At the member's latest change: old, so no partition's time moves on for it.
        corrections.write(member.getKey(), member.getValue().getTime(), correction);
      }
      written = corrections.flush();
      applied =
          wait.isZero()
              || corrections.awaitApplied(
                  live.applicationId(), wait, new Progress(out, terminal), Clock.systemUTC());
    }
    return ReplayCommand.applied(out, terminal, name, written, wait, applied);
  }
}
