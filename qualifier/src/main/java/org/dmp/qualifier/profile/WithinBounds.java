package org.dmp.qualifier.profile;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.dmp.avro.VisitEvent;

/**
 * Passes on the records a replay reads, and tells {@link ReplayProgress} of every record seen,
 * passed on or not, so that the run knows when it has read through its last offsets.
 */
final class WithinBounds implements Processor<String, VisitEvent, String, VisitEvent> {
  private final ReplayBounds bounds;
  private final ReplayProgress seen;
  private ProcessorContext<String, VisitEvent> context;

  WithinBounds(ReplayBounds bounds, ReplayProgress seen) {
    this.bounds = bounds;
    this.seen = seen;
  }

  @Override
  public void init(ProcessorContext<String, VisitEvent> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, VisitEvent> record) {
    context
        .recordMetadata()
        .ifPresent(
            metadata -> {
              // A replay recomputes from what visitors did: the corrections earlier runs applied
              // to live profiles are not part of that.
              boolean correction = record.value() != null && record.value().getCorrection() != null;
              if (!correction
                  && bounds.holds(
                      metadata.partition(), metadata.offset(), record.key(), record.timestamp())) {
                context.forward(record);
              }
              seen.read(
                  metadata.partition(),
                  metadata.offset(),
                  bounds.withinOffsets(metadata.partition(), metadata.offset()));
            });
  }
}
