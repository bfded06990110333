package org.dmp.qualifier.profile;

import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.dmp.avro.EventSource;
import org.dmp.avro.InboundChunk;
import org.dmp.avro.InboundChunkLine;
import org.dmp.avro.PartnerId;
import org.dmp.avro.VisitEvent;
import org.dmp.schemas.IdMapKey;

/**
 * Inbound file lines, in chunks on the id map's partitions: each line becomes an event of every
 * visitor its partner id was synced with (the {@value QualifierTopology#PARTNER_IDS} store that
 * {@link PartnerIdOptOuts} keeps), written to the visits topic so that the visitor's own task
 * applies it and a replay sees it. A line for a partner id with no sync yet waits ({@link
 * WaitingLines}) until one arrives; one for an opted-out partner id is not applied. A line of a
 * data source that sends visitor ids goes to its visitor as it is.
 */
final class InboundLines implements Processor<String, InboundChunk, String, VisitEvent> {
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
  public void process(Record<String, InboundChunk> record) {
    InboundChunk chunk = record.value();
    if (chunk == null) {
      return;
    }
    waiting.expire(chunk.getTime().toEpochMilli());
    String keyPrefix = IdMapKey.of(chunk.getDataSourceId(), "");
    for (InboundChunkLine line : chunk.getLines()) {
      VisitEvent event = event(chunk, line);
      if (chunk.getVisitorIds()) {
        context.forward(
            new Record<>(line.getUserId(), event, event.getTime().toEpochMilli()),
            QualifierTopology.RESOLVED_SINK);
      } else {
        resolve(keyPrefix + line.getUserId(), event);
      }
    }
  }

  private void resolve(String partnerIdKey, VisitEvent line) {
    String state = partnerIds.get(partnerIdKey);
    if (PartnerIdOptOuts.optedOut(state)) {
      settings.counts().optedOut.increment();
      return;
    }
    var visitors = PartnerIdOptOuts.visitors(state);
    if (visitors.isEmpty()) {
      waiting.add(partnerIdKey, line);
      return;
    }
    for (String visitor : visitors) {
      forward(context, line, visitor);
    }
    settings.counts().resolved.increment();
  }

  /** The event a line is: of its file's time and source, with the partner id it names. */
  private static VisitEvent event(InboundChunk chunk, InboundChunkLine line) {
    return VisitEvent.newBuilder()
        .setEventId(chunk.getEventIdPrefix() + line.getLineNumber())
        .setVisitorId(chunk.getVisitorIds() ? line.getUserId() : "")
        .setTime(chunk.getTime())
        .setSource(EventSource.FILE)
        .setTargetDataSourceId(chunk.getTargetDataSourceId())
        .setOverwrite(chunk.getOverwrite() ? chunk.getTargetDataSourceId() : null)
        .setSignals(line.getSignals())
        .setRealizedTraits(line.getRealizedTraits())
        .setRemovedTraits(line.getRemovedTraits())
        .setPartnerIds(
            chunk.getVisitorIds()
                ? List.of()
                : List.of(new PartnerId(chunk.getDataSourceId(), line.getUserId())))
        .build();
  }

  static void forward(
      ProcessorContext<String, ? super VisitEvent> context, VisitEvent line, String visitor) {
    context.forward(
        new Record<>(
            visitor, WaitingLines.forVisitor(line, visitor), line.getTime().toEpochMilli()),
        QualifierTopology.RESOLVED_SINK);
  }
}
