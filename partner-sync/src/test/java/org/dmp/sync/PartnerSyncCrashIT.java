package org.dmp.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.dmp.sync.SyncFixture.httpDestination;
import static org.dmp.sync.SyncFixture.joined;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.dmp.avro.PartnerSegmentUpdate;
import org.dmp.kafka.embedded.EmbeddedKafkaBroker;
import org.dmp.kafka.embedded.KafkaBrokerExtension;
import org.dmp.kafka.embedded.UniqueNames;
import org.dmp.partner.SamplePartner;
import org.dmp.runtime.MainThread;
import org.dmp.schemas.serde.AvroSerde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({KafkaBrokerExtension.class, VertxExtension.class})
class PartnerSyncCrashIT {
  private static final int VISITORS = 3_000;

  private Process sync;

  @AfterEach
  void killLeftovers() throws InterruptedException {
    if (sync != null && sync.isAlive()) {
      sync.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void afterAKillMidStreamNothingIsLostAndRepeatsComeOnlyUnderTheirFirstKey(
      Vertx vertx, EmbeddedKafkaBroker broker) throws Exception {
    SamplePartner partner = new SamplePartner(0, Optional.empty(), false);
    MainThread.await(vertx.deployVerticle(partner), Duration.ofSeconds(30), "starting the partner");
    // Slow and flaky, so that batches are in flight and being retried when the process dies.
    partner.answerAfter(Duration.ofMillis(20));
    partner.failShare(0.2);
    SyncFixture fixture =
        SyncFixture.create(broker.bootstrapServers(), "--sync.http.batch-users=20");
    String topic = UniqueNames.topic("crash-dest");
    fixture.applyDestinations(
        httpDestination(9001, partner.url(), ""),
        """
        {"id": 9005, "name": "topic", "type": "kafka", "topic": "%s", "dataSource": 20001, "mappings": {"5001": "m5001"}}"""
            .formatted(topic));
    fixture.publish(IntStream.range(0, VISITORS).mapToObj(i -> joined("v" + i, 1, 5001)).toList());
    Set<String> expected =
        IntStream.range(0, VISITORS).mapToObj(i -> "v" + i).collect(Collectors.toSet());

    sync = fixture.startProcess();
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> visitorsAccepted(partner).size() > VISITORS / 10);
    sync.destroyForcibly();
    assertThat(sync.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(visitorsAccepted(partner))
        .as("killed in the middle of the stream")
        .hasSizeLessThan(VISITORS);

    sync = fixture.startProcess();
    await()
        .atMost(Duration.ofMinutes(2))
        .until(() -> visitorsAccepted(partner).containsAll(expected));

    Map<String, Set<String>> keysByVisitor = new HashMap<>();
    partner
        .accepted()
        .forEach(
            request ->
                request
                    .visitorIds()
                    .forEach(
                        visitor ->
                            keysByVisitor
                                .computeIfAbsent(visitor, v -> new LinkedHashSet<>())
                                .add(request.idempotencyKey())));
    assertThat(keysByVisitor.keySet()).isEqualTo(expected);
    assertThat(keysByVisitor)
        .as("a change delivered twice came both times under one key")
        .allSatisfy((visitor, keys) -> assertThat(keys).hasSize(1));

    List<PartnerSegmentUpdate> written =
        fixture.readUntil(
            topic, AvroSerde.of(PartnerSegmentUpdate.class), read -> read.size() >= VISITORS);
    assertThat(written).hasSize(VISITORS);
    assertThat(written)
        .extracting(PartnerSegmentUpdate::getVisitorId)
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  private static Set<String> visitorsAccepted(SamplePartner partner) {
    return partner.accepted().stream()
        .flatMap(request -> request.visitorIds().stream())
        .collect(Collectors.toSet());
  }
}
