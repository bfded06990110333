package org.dmp.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.topics.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "topics",
    description = {
      "Creates the pipeline's topics that do not exist yet; existing ones are left as they are.",
      "Names, partitions and retention come from dmp-topics.properties and DMP_TOPIC_... variables."
    })
public final class TopicsCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Mixin private KafkaBootstrap kafka;

  @Override
  public Integer call() throws InterruptedException, ExecutionException {
    Topics topics = configured(System.getenv());
    List<String> created = createMissing(topics, kafka.clients());
    spec.commandLine()
        .getOut()
        .println("Topics " + topics + " at " + kafka.servers() + "; created now: " + created);
    return 0;
  }

  /** The topics as configured by dmp-topics.properties and the environment. */
  public static Topics configured(Map<String, String> env) {
    return configured(env, List.of());
  }

  /**
   * @param flags settings as the services take them ({@code --topic.visits.name=...}), over the
   *     environment's
   */
  public static Topics configured(Map<String, String> env, List<String> flags) {
    return CliDefaults.SPEC.read(env, flags, Topics::read);
  }

  public static List<String> createMissing(Topics topics, KafkaClients kafka)
      throws InterruptedException, ExecutionException {
    try (Admin admin = kafka.admin(Map.of())) {
      return topics.createMissing(admin);
    }
  }
}
