package org.dmp.taxonomy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dmp.avro.VisitEvent;

/** The signals that trait rules see in an event: its keys as sent, and its {@code h_} attributes as one value each. */
public final class Signals {
  private Signals() {}

  public static Map<String, List<String>> of(VisitEvent event) {
    if (event.getHttpAttributes().isEmpty()) {
      return event.getSignals();
    }
    Map<String, List<String>> signals = new HashMap<>(event.getSignals());
    event.getHttpAttributes().forEach((key, value) -> signals.put(key, List.of(value)));
    return signals;
  }
}
