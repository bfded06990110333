package org.dmp.qualifier.populations;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.dmp.avro.PopulationKind;
import org.dmp.avro.ProfileUpdate;

/**
 * The segment joins and leaves of each update on dmp.segments, at the update's event time. A
 * tombstone (what follows an opt-out, whose update removed everything already) changes nothing.
 */
public final class SegmentChanges
    implements Processor<String, ProfileUpdate, Object, PopulationChange> {
  private ProcessorContext<Object, PopulationChange> context;

  @Override
  public void init(ProcessorContext<Object, PopulationChange> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, ProfileUpdate> record) {
    ProfileUpdate update = record.value();
    if (update == null) {
      return;
    }
    long time = update.getTime().toEpochMilli();
    for (long segment : update.getAdded()) {
      context.forward(
          new Record<>(null, PopulationChange.joined(PopulationKind.SEGMENT, segment), time));
    }
    for (long segment : update.getRemoved()) {
      context.forward(
          new Record<>(null, PopulationChange.left(PopulationKind.SEGMENT, segment), time));
    }
  }
}
