package org.dmp.qualifier.profile;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.dmp.avro.VisitEvent;

/**
 * Inbound lines keyed by partner id, on the id map's partitions: each becomes an event of every
 * visitor the partner id was synced with (the {@value QualifierTopology#PARTNER_IDS} store that
 * {@link PartnerIdOptOuts} keeps), written to the visits topic so that the visitor's own task
 * applies it and a replay sees it. A line for a partner id with no sync yet waits ({@link
 * WaitingLines}) until one arrives; one for an opted-out partner id is not applied.
 */
final class InboundLines implements Processor<String, VisitEvent, String, VisitEvent> {
  private final PendingLines settings;
  private ProcessorContext<String, VisitEvent> context;
  private KeyValueStore<String, String> partnerIds;
  private WaitingLines waiting;

  InboundLines(PendingLines settings) {
    this.settings = settings;
  }

  @Override
  public void init(ProcessorContext<String, VisitEvent> context) {
    this.context = context;
    this.partnerIds = context.getStateStore(QualifierTopology.PARTNER_IDS);
    this.waiting = WaitingLines.of(context, settings);
  }

  @Override
  public void process(Record<String, VisitEvent> record) {
    VisitEvent line = record.value();
    if (record.key() == null || line == null) {
      return;
    }
    waiting.expire(record.timestamp());
    String state = partnerIds.get(record.key());
    if (PartnerIdOptOuts.optedOut(state)) {
      settings.counts().optedOut.increment();
      return;
    }
    var visitors = PartnerIdOptOuts.visitors(state);
    if (visitors.isEmpty()) {
      waiting.add(record.key(), line);
      return;
    }
    for (String visitor : visitors) {
      forward(context, line, visitor);
    }
    settings.counts().resolved.increment();
  }

  static void forward(
      ProcessorContext<String, ? super VisitEvent> context, VisitEvent line, String visitor) {
    context.forward(
        new Record<>(
            visitor, WaitingLines.forVisitor(line, visitor), line.getTime().toEpochMilli()),
        QualifierTopology.RESOLVED_SINK);
  }
}
