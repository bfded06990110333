package org.dmp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dmp.edge.EdgeConfig;
import org.dmp.qualifier.QualifierConfig;
import org.dmp.sync.PartnerSyncMain;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * These machines have no Docker engine, so docker-compose.yml is checked here instead: every
 * service it builds is a module with a Dockerfile, and every DMP_ variable it sets is one that
 * service reads.
 */
class DockerComposeTest {
  private static final Path REPOSITORY =
      Path.of(System.getProperty("dmp.repository", "..")).toAbsolutePath().normalize();
  private static final Map<String, Set<String>> KNOWN_VARIABLES =
      Map.of(
          "dcs-edge", EdgeConfig.SETTINGS.envNames(),
          "qualifier", QualifierConfig.SETTINGS.envNames(),
          "partner-sync", PartnerSyncMain.SETTINGS.envNames(),
          "inbound", org.dmp.inbound.service.InboundConfig.SETTINGS.envNames(),
          "console", org.dmp.console.ConsoleConfig.SETTINGS.envNames(),
          "dmp-cli", CliDefaults.SPEC.envNames());

  @Test
  void composeFileNamesOnlyRealModulesAndVariables() throws IOException {
    Map<String, Object> compose =
        new Yaml().load(Files.readString(REPOSITORY.resolve("docker-compose.yml")));

    assertThat(problems(compose)).isEmpty();
    assertThat(services(compose).keySet())
        .contains(
            "kafka-1", "kafka-2", "kafka-3", "dcs-edge", "qualifier", "partner-sync", "console");
    List<Object> nodeIds = new ArrayList<>();
    for (String node : List.of("kafka-1", "kafka-2", "kafka-3")) {
      Map<String, Object> service = services(compose).get(node);
      assertThat(service).containsEntry("image", "apache/kafka:4.1.1");
      Map<String, Object> environment = environment(service);
      assertThat(environment)
          .containsEntry(
              "KAFKA_CONTROLLER_QUORUM_VOTERS", "1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093")
          .containsEntry("KAFKA_MIN_INSYNC_REPLICAS", "2")
          .containsEntry("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://" + node + ":9092");
      nodeIds.add(environment.get("KAFKA_NODE_ID"));
    }
    assertThat(nodeIds).containsExactly("1", "2", "3");
    assertThat(environment(services(compose).get("topics")))
        .as("the pipeline's topics: three copies, a write counts once two have it")
        .containsEntry("DMP_TOPICS_REPLICATION_FACTOR", "3")
        .containsEntry("DMP_TOPICS_MIN_INSYNC_REPLICAS", "2");
  }

  @Test
  void theCheckCatchesAnUnknownVariableAndAMissingModule() {
    Map<String, Object> compose =
        new Yaml()
            .load(
                """
        services:
          dcs-edge:
            build: ./dcs-edge
            environment: {DMP_KAFKA_BOOTSTRAP: "kafka:9092", DMP_NO_SUCH_SETTING: "1"}
          ghost:
            build: ./ghost
        """);

    assertThat(problems(compose))
        .containsExactly(
            "dcs-edge sets DMP_NO_SUCH_SETTING, which its configuration does not know",
            "ghost is built from ./ghost, which is no module with a Dockerfile");
  }

  private static List<String> problems(Map<String, Object> compose) {
    List<String> problems = new ArrayList<>();
    String rootPom = read(REPOSITORY.resolve("pom.xml"));
    services(compose)
        .forEach(
            (name, service) -> {
              Object build = service.get("build");
              if (build == null) {
                return;
              }
              String context =
                  build instanceof Map<?, ?> map
                      ? String.valueOf(map.get("context"))
                      : String.valueOf(build);
              String module = Path.of(context).normalize().toString();
              if (!Files.exists(REPOSITORY.resolve(module).resolve("Dockerfile"))
                  || !rootPom.contains("<module>" + module + "</module>")
                  || !KNOWN_VARIABLES.containsKey(module)) {
                problems.add(
                    name + " is built from " + context + ", which is no module with a Dockerfile");
                return;
              }
              Object environment = service.getOrDefault("environment", Map.of());
              for (Object variable : ((Map<?, ?>) environment).keySet()) {
                if (variable.toString().startsWith("DMP_")
                    && !KNOWN_VARIABLES.get(module).contains(variable.toString())) {
                  problems.add(
                      name + " sets " + variable + ", which its configuration does not know");
                }
              }
            });
    return problems;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> environment(Map<String, Object> service) {
    return (Map<String, Object>) service.get("environment");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> services(Map<String, Object> compose) {
    return (Map<String, Map<String, Object>>) compose.get("services");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read " + file, e);
    }
  }
}
