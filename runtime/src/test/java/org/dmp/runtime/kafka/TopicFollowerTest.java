package org.dmp.runtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

/** Starting and stopping a follower must not block its caller, which is often an event loop. */
class TopicFollowerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void theConsumerIsBuiltOnTheFollowersThreadNotTheCallers() throws Exception {
    // Building a consumer resolves the bootstrap host: with a name that cannot resolve, a consumer
    // built by start() would throw here, on the caller's thread.
    TopicFollower follower =
        TopicFollower.start(
            "follower-test",
            KafkaClients.of("no-such-host.invalid:9092"),
            "dmp.taxonomy",
            record -> {});

    CompletableFuture<Void> caughtUp = follower.caughtUp();
    Throwable failure = null;
    try {
      caughtUp.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      failure = e.getCause();
    }
    assertThat(failure)
        .as("the failure reaches whoever waits for the topic's past")
        .isInstanceOf(KafkaException.class);
    assertThat(follower.stop()).succeedsWithin(WAIT);
  }

  @Test
  void stopReturnsAtOnceAndCompletesWhenTheConsumerIsClosed() {
    TopicFollower follower =
        TopicFollower.start(
            "follower-test", KafkaClients.of("127.0.0.1:1"), "dmp.taxonomy", record -> {});
    CompletableFuture<Void> stopped = follower.stop();
    assertThat(stopped).succeedsWithin(WAIT);
    assertThat(follower.stop()).as("stopping again is harmless").isDone();
  }
}
