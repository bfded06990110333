package org.dmp.taxonomy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dmp.avro.EventSource;
import org.dmp.avro.VisitEvent;
import org.junit.jupiter.api.Test;

class SignalsTest {
  @Test
  void mergedKeepsTheOrderOfKeysAndValuesAndChangesNeitherInput() {
    Map<String, List<String>> first = new LinkedHashMap<>();
    first.put("c_color", List.of("red"));
    first.put("c_size", List.of("42"));
    Map<String, List<String>> second = Map.of("c_color", List.of("blue", "green"));

    Map<String, List<String>> merged = Signals.merged(first, second);

    assertThat(merged)
        .containsExactly(
            Map.entry("c_color", List.of("red", "blue", "green")),
            Map.entry("c_size", List.of("42")));
    assertThat(first.get("c_color")).containsExactly("red");
    assertThat(second.get("c_color")).containsExactly("blue", "green");
    assertThat(Signals.merged(first, Map.of())).isSameAs(first);
  }

  @Test
  void appendAddsAfterWhatAKeyHolds() {
    Map<String, List<String>> signals = new LinkedHashMap<>();
    Signals.append(signals, "k", List.of("a"));
    Signals.append(signals, "k", List.of("b"));
    Signals.append(signals, "j", List.of("c"));
    assertThat(signals)
        .containsExactly(Map.entry("k", List.of("a", "b")), Map.entry("j", List.of("c")));
  }

  @Test
  void rulesSeeAnEventsKeysAndItsHttpAttributesAsOneValueEach() {
    VisitEvent event =
        VisitEvent.newBuilder()
            .setEventId("e")
            .setVisitorId("1")
            .setTime(Instant.EPOCH)
            .setSource(EventSource.EDGE)
            .setSignals(Map.of("c_category", List.of("shoes")))
            .setHttpAttributes(Map.of("h_referer", "https://shop.example/a,b"))
            .build();
    assertThat(Signals.of(event))
        .containsOnly(
            Map.entry("c_category", List.of("shoes")),
            Map.entry("h_referer", List.of("https://shop.example/a,b")));
  }
}
