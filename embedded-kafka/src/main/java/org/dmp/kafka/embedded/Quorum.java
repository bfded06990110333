package org.dmp.kafka.embedded;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;

/**
 * The KRaft quorum a node belongs to: every node is a controller and a broker, on this machine. A
 * quorum of one is the single-node broker; a quorum of three keeps three copies of each partition
 * and goes on while one node is down.
 *
 * @param clusterId the id every node's storage is formatted with
 * @param controllerPorts each node id's controller port on 127.0.0.1
 */
public record Quorum(String clusterId, Map<Integer, Integer> controllerPorts) {
  public Quorum {
    Objects.requireNonNull(clusterId, "clusterId");
    Uuid.fromString(clusterId);
    controllerPorts = Map.copyOf(new LinkedHashMap<>(controllerPorts));
    if (controllerPorts.isEmpty()) {
      throw new IllegalArgumentException("a quorum needs at least one node");
    }
  }

  /** A quorum of one: node 1, a new cluster id. */
  public static Quorum alone(int controllerPort) {
    return new Quorum(Uuid.randomUuid().toString(), Map.of(1, controllerPort));
  }

  /**
   * Reads {@code 1@9093,2@9095,3@9097}: each node id and its controller port.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static Quorum parse(String clusterId, String voters) {
    Map<Integer, Integer> ports = new LinkedHashMap<>();
    for (String voter : voters.split(",")) {
      String[] parts = voter.trim().split("@");
      try {
        if (parts.length != 2
            || ports.put(Integer.parseInt(parts[0]), Integer.parseInt(parts[1])) != null) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "a quorum is NODE@CONTROLLER_PORT,... with distinct nodes, such as 1@9093,2@9095,3@9097;"
                + " was \""
                + voters
                + "\"");
      }
    }
    return new Quorum(clusterId, ports);
  }

  public int size() {
    return controllerPorts.size();
  }

  /** {@code controller.quorum.voters}. */
  String voters(String host) {
    return controllerPorts.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(voter -> voter.getKey() + "@" + host + ":" + voter.getValue())
        .collect(Collectors.joining(","));
  }

  /** How many copies of each partition: every node's, at most three. */
  int replicationFactor() {
    return Math.min(3, size());
  }

  /** How many copies a write must reach: all but one, at least one. */
  int minInSyncReplicas() {
    return Math.max(1, replicationFactor() - 1);
  }
}
