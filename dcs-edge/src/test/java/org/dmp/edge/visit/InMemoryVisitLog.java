package org.dmp.edge.visit;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.dmp.avro.VisitEvent;
import org.dmp.edge.http.Unavailable;

/** A visit log in memory, one partition, for the handlers' fast tests; it can be told to refuse. */
public final class InMemoryVisitLog implements VisitLog {
  private final List<VisitEvent> events = new ArrayList<>();
  private volatile Optional<String> refusal = Optional.empty();

  @Override
  public synchronized Future<LogPosition> append(VisitEvent event) {
    if (refusal.isPresent()) {
      return Future.failedFuture(new Unavailable(refusal.get()));
    }
    events.add(event);
    return Future.succeededFuture(new LogPosition(0, events.size() - 1));
  }

  /** From now on every append fails as Kafka's outage would, with this reason. */
  public void refuse(String reason) {
    refusal = Optional.of(reason);
  }

  /** From now on appends succeed again, as once Kafka is back. */
  public void accept() {
    refusal = Optional.empty();
  }

  public synchronized List<VisitEvent> events() {
    return List.copyOf(events);
  }
}
