package org.dmp.qualifier.populations;

import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Counts the population changes it is given (a segment's joins and leaves, from dmp.segments) with
 * {@link PopulationCounts}, and writes the populations that changed every so often of wall-clock
 * time.
 */
public final class PopulationCounter
    implements Processor<Object, PopulationChange, String, Object> {
  private final String storeName;
  private final String sink;
  private final Duration every;
  private PopulationCounts counts;

  /**
   * @param storeName the counts' store, this node's alone
   * @param sink where the populations are written
   * @param every how often the populations that changed are written
   */
  public PopulationCounter(String storeName, String sink, Duration every) {
    this.storeName = storeName;
    this.sink = sink;
    this.every = every;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    counts = new PopulationCounts(context.getStateStore(storeName), context.taskId().partition());
    context.schedule(
        every,
        PunctuationType.WALL_CLOCK_TIME,
        now ->
            counts.write(
                now,
                (key, population) -> context.forward(new Record<>(key, population, now), sink)));
  }

  @Override
  public void process(Record<Object, PopulationChange> record) {
    PopulationChange change = record.value();
    counts.count(change.kind(), change.id(), record.timestamp(), change.delta());
  }

  @Override
  public void close() {
    counts.writePending();
  }
}
