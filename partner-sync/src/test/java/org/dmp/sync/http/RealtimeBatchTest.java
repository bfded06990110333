package org.dmp.sync.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.dmp.sync.destination.PartnerChange;
import org.dmp.sync.destination.UserChange;
import org.junit.jupiter.api.Test;

class RealtimeBatchTest {
  private static final Instant CHANGED = Instant.parse("2016-07-27T16:17:22Z");

  @Test
  void theBodyIsAudienceManagersRealtimeJson() {
    RealtimeBatch batch =
        new RealtimeBatch(
            9001,
            new TopicPartition("s", 0),
            0,
            1,
            List.of(
                new PartnerChange(
                    9001,
                    20001,
                    "1939357236",
                    4,
                    new UserChange("4250948725", List.of("12176"), List.of("14356")),
                    CHANGED,
                    List.of())));
    JsonObject body =
        new JsonObject(
            new String(
                batch.body(9001, 20001, "74323", Instant.parse("2016-07-27T16:17:42Z")),
                StandardCharsets.UTF_8));

    assertThat(body)
        .isEqualTo(
            new JsonObject(
                """
        {"ProcessTime": "Wed Jul 27 16:17:42 UTC 2016", "User_DPID": "20001",
         "Client_ID": "74323", "AAM_Destination_Id": "9001", "User_count": "1",
         "Users": [{"AAM_UUID": "1939357236", "DataPartner_UUID": "4250948725", "AAM_Regions": ["0"],
                    "Segments": [{"Segment_ID": "14356", "Status": "1", "DateTime": "Wed Jul 27 16:17:22 UTC 2016"},
                                 {"Segment_ID": "12176", "Status": "0", "DateTime": "Wed Jul 27 16:17:22 UTC 2016"}]}]}"""));
  }

  @Test
  void aMessageCarriesAllOfTheUsersSegmentsAndTheRegionsTheyWereSeenIn() {
    RealtimeBatch batch =
        new RealtimeBatch(
            9001,
            new TopicPartition("s", 0),
            5,
            5,
            List.of(
                new PartnerChange(
                    9001,
                    20001,
                    "v",
                    3,
                    new UserChange("p", List.of("A", "B"), List.of("A", "B", "C")),
                    CHANGED,
                    List.of(6, 9))));
    JsonObject user =
        new JsonObject(new String(batch.body(9001, 20001, "c", CHANGED), StandardCharsets.UTF_8))
            .getJsonArray("Users")
            .getJsonObject(0);

    assertThat(user.getJsonArray("AAM_Regions")).containsExactly("6", "9");
    assertThat(user.getJsonArray("Segments"))
        .extracting(segment -> ((JsonObject) segment).getString("Segment_ID"))
        .containsExactly("A", "B", "C");
  }

  @Test
  void aVisitorTwiceInOneBatchIsOneUserWithEachSegmentsLatestStatus() {
    RealtimeBatch batch =
        new RealtimeBatch(
            9001,
            new TopicPartition("s", 0),
            0,
            2,
            List.of(
                new PartnerChange(
                    9001,
                    20001,
                    "v",
                    1,
                    new UserChange("p", List.of(), List.of("A", "B")),
                    CHANGED,
                    List.of()),
                new PartnerChange(
                    9001,
                    20001,
                    "w",
                    1,
                    new UserChange("q", List.of(), List.of("A")),
                    CHANGED,
                    List.of()),
                new PartnerChange(
                    9001,
                    20001,
                    "v",
                    2,
                    new UserChange("p", List.of("A", "B"), List.of("B")),
                    CHANGED.plusSeconds(1),
                    List.of())));
    JsonObject body =
        new JsonObject(new String(batch.body(9001, 20001, null, CHANGED), StandardCharsets.UTF_8));

    assertThat(body.getString("User_count")).isEqualTo("2");
    assertThat(body.getString("Client_ID")).isEmpty();
    JsonObject v = body.getJsonArray("Users").getJsonObject(0);
    assertThat(v.getString("AAM_UUID")).isEqualTo("v");
    assertThat(
            v.getJsonArray("Segments").stream()
                .map(
                    segment ->
                        ((JsonObject) segment).getString("Segment_ID")
                            + "="
                            + ((JsonObject) segment).getString("Status")))
        .as("the user's whole set, then what they left")
        .containsExactly("B=1", "A=0");
    assertThat(batch.visitorIds()).containsExactly("v", "w");
  }
}
