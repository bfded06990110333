package org.dmp.edge.dcs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import org.dmp.edge.answer.Qualification;
import org.junit.jupiter.api.Test;

class DcsAnswerTest {
  private static final Qualification QUALIFIED =
      new Qualification(
          List.of(new Qualification.CookieDestination("aam", "seg=shoes", 30, "shop.example")),
          List.of(new Qualification.UrlDestination(9004, "http://px.example/p?u=1")),
          List.of(101L),
          List.of(5002L),
          false);

  @Test
  void urlDestinationsCarryWhatDilReadsWhenAskedFor() {
    JsonObject asked =
        DcsAnswer.json(
            "1", 7, "e-1", QUALIFIED, new DcsHit.AnswerOptions(true, Optional.empty(), true, true));
    JsonObject notAsked =
        DcsAnswer.json(
            "1",
            7,
            "e-1",
            QUALIFIED,
            new DcsHit.AnswerOptions(true, Optional.empty(), false, false));

    assertThat(asked.getJsonArray("dests").getJsonObject(0))
        .isEqualTo(
            new JsonObject()
                .put("c", "http://px.example/p?u=1")
                .put("e", "https://px.example/p?u=1")
                .put("y", "img")
                .put("id", 9004));
    assertThat(asked.getJsonArray("stuff").getJsonObject(0))
        .isEqualTo(
            new JsonObject()
                .put("cn", "aam")
                .put("cv", "seg=shoes")
                .put("ttl", 30)
                .put("dmn", "shop.example"));
    assertThat(asked.getJsonArray("traits")).containsExactly(101L);
    assertThat(asked.getJsonArray("segments")).containsExactly(5002L);
    assertThat(notAsked.getJsonArray("dests")).isEmpty();
    assertThat(notAsked.containsKey("segments")).isFalse();
  }
}
