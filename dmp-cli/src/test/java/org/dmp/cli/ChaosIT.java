package org.dmp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code dmp bench chaos} at a small scale: the composition as separate processes loses no
 * acknowledged event and no change through a kill -9 of each service, a Kafka node's, and a partner
 * failing for a while, and sends a change twice only under one idempotency key.
 */
class ChaosIT {
  @Test
  void nothingAcknowledgedIsLostThroughEveryFault() {
    TailCommandIT.Run run =
        TailCommandIT.dmp(
            "bench", "chaos", "--rate", "50", "--between", "50", "--runs", "1", "--drain", "60");

    // The faults' timeline, in the test's report.
    System.out.println(run.out());
    List<String> lines = run.out().lines().toList();
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    JsonObject result = new JsonObject(lines.get(lines.size() - 1));
    assertThat(result.getLong("acknowledged")).as(result.encode()).isGreaterThanOrEqualTo(300);
    assertThat(result.getLong("lost")).as(result.encode()).isZero();
    assertThat(result.getLong("undelivered")).as(result.encode()).isZero();
    assertThat(result.getLong("unexplained_duplicates")).as(result.encode()).isZero();
    assertThat(result.getLong("refused_by_partner")).as(result.encode()).isPositive();
    assertThat(result.getJsonArray("faults").getList())
        .contains(
            "kill -9 dcs-edge",
            "kill -9 qualifier",
            "kill -9 partner-sync",
            "kill -9 kafka node 2");
  }
}
