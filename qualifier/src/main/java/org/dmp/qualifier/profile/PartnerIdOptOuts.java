package org.dmp.qualifier.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.dmp.avro.EventSource;
import org.dmp.avro.IdMapping;
import org.dmp.avro.VisitEvent;
import org.dmp.schemas.VisitorId;

/**
 * Opt-outs by declared id, on the id map's partitions: each partner id's visitors and whether the
 * id opted out, in the {@value QualifierTopology#PARTNER_IDS} store. An opt-out arrives as a
 * mapping to {@code NOTARGET}; it opts out every visitor the id was mapped to, and every visitor it
 * is mapped to later, each by an opt-out written to the visits topic, to that visitor's own task.
 * Both arrive on the one partition of the partner id, in order, so what is written depends only on
 * the records, and an ID sync that lags its opt-out still meets it. A partner id's first sync also
 * releases the inbound lines that waited for it ({@link InboundLines}).
 *
 * <p>A visitor who opted out, or was erased, comes back as a mapping to forget: the visitor leaves
 * the id's list, and the id map is given the id's mapping as it now stands (its latest remaining
 * visitor, {@code NOTARGET}, or a tombstone), so compaction leaves nothing of the visitor there.
 */
final class PartnerIdOptOuts implements Processor<String, IdMapping, String, Object> {
  /** How many of the visitors who used one partner id are remembered: the most recent. */
  static final int MAX_VISITORS = 16;

  private static final String OPTED_OUT = "1:";
  private static final String NOT_OPTED_OUT = "0:";

  private final PendingLines pending;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, String> partnerIds;
  private WaitingLines waiting;

  PartnerIdOptOuts(PendingLines pending) {
    this.pending = pending;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.partnerIds = context.getStateStore(QualifierTopology.PARTNER_IDS);
    this.waiting = WaitingLines.of(context, pending);
  }

  @Override
  public void process(Record<String, IdMapping> record) {
    IdMapping mapping = record.value();
    if (record.key() == null || mapping == null) {
      return;
    }
    waiting.expire(record.timestamp());
    String state = partnerIds.get(record.key());
    boolean optedOut = optedOut(state);
    List<String> visitors = visitors(state);
    String visitor = mapping.getVisitorId();
    if (mapping.getForget()) {
      visitors.remove(visitor);
      restate(record, optedOut, visitors);
    } else if (VisitorId.OPTED_OUT.equals(visitor)) {
      if (!optedOut) {
        optedOut = true;
        visitors.forEach(known -> optOut(record.key(), known, mapping));
        // Lines that waited for the id are the opted-out person's data too.
        waiting.optedOut(record.key());
      }
    } else {
      if (!visitors.contains(visitor)) {
        visitors.add(visitor);
        if (visitors.size() > MAX_VISITORS) {
          visitors.remove(0);
        }
      }
      if (optedOut) {
        optOut(record.key(), visitor, mapping);
      } else {
        // Inbound lines that waited for this partner id's first sync go to its first visitor.
        waiting.release(record.key()).forEach(line -> InboundLines.forward(context, line, visitor));
      }
    }
    store(record.key(), optedOut, visitors);
  }

  private void store(String partnerId, boolean optedOut, List<String> visitors) {
    if (!optedOut && visitors.isEmpty()) {
      partnerIds.delete(partnerId);
    } else {
      partnerIds.put(
          partnerId, (optedOut ? OPTED_OUT : NOT_OPTED_OUT) + String.join(",", visitors));
    }
  }

  /** Writes the id's mapping as it stands now that a visitor is forgotten, over the forgetting. */
  private void restate(Record<String, IdMapping> forgetting, boolean optedOut, List<String> left) {
    IdMapping forget = forgetting.value();
    IdMapping now =
        optedOut || !left.isEmpty()
            ? IdMapping.newBuilder(forget)
                .setVisitorId(optedOut ? VisitorId.OPTED_OUT : left.get(left.size() - 1))
                .setForget(false)
                .build()
            : null;
    context.forward(forgetting.withValue(now), QualifierTopology.RESTATED_SINK);
  }

  private void optOut(String partnerId, String visitorId, IdMapping mapping) {
    VisitEvent optOut =
        VisitEvent.newBuilder()
            .setEventId("opt-out:" + partnerId + ":" + visitorId)
            .setVisitorId(visitorId)
            .setTime(mapping.getTime())
            .setSource(EventSource.OPT_OUT)
            .setSignals(Map.of())
            .setHttpAttributes(Map.of())
            .setPartnerIds(List.of())
            .setRealizedTraits(List.of())
            .setRemovedTraits(List.of())
            .build();
    context.forward(
        new Record<>(visitorId, optOut, mapping.getTime().toEpochMilli()),
        QualifierTopology.RESOLVED_SINK);
  }

  /** Whether a stored state is that of an opted-out partner id. */
  static boolean optedOut(String state) {
    return state != null && state.startsWith(OPTED_OUT);
  }

  /** The visitor ids of a stored state, oldest first; a new list. */
  static List<String> visitors(String state) {
    List<String> visitors = new ArrayList<>();
    if (state != null && state.length() > OPTED_OUT.length()) {
      visitors.addAll(List.of(state.substring(OPTED_OUT.length()).split(",")));
    }
    return visitors;
  }
}
