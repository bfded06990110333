package org.dmp.qualifier.profile;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.dmp.avro.VisitEvent;

/**
 * Inbound lines whose partner id has no ID sync yet, in the {@value
 * QualifierTopology#WAITING_LINES} store by partner id, and indexed by time in {@value
 * QualifierTopology#WAITING_BY_TIME} so that those waiting longer than the ttl are found without a
 * scan. Time is the records' own (the lines' file times, the syncs' times), so what expires is a
 * function of the records, as with profiles.
 */
final class WaitingLines {
  /** Below every character a partner id may hold (the ingester refuses control characters). */
  private static final char SEPARATOR = '\u0001';

  private final KeyValueStore<String, VisitEvent> lines;
  private final KeyValueStore<String, String> byTime;
  private final PendingLines settings;

  WaitingLines(
      KeyValueStore<String, VisitEvent> lines,
      KeyValueStore<String, String> byTime,
      PendingLines settings) {
    this.lines = lines;
    this.byTime = byTime;
    this.settings = settings;
  }

  /** The waiting lines of the task the processor context is of. */
  static WaitingLines of(
      org.apache.kafka.streams.processor.api.ProcessorContext<?, ?> context,
      PendingLines settings) {
    return new WaitingLines(
        context.getStateStore(QualifierTopology.WAITING_LINES),
        context.getStateStore(QualifierTopology.WAITING_BY_TIME),
        settings);
  }

  /** Sets the line aside for the partner id; past the bound, the partner id's oldest goes. */
  void add(String partnerId, VisitEvent line) {
    String key = partnerId + SEPARATOR + line.getEventId();
    lines.put(key, line);
    byTime.put(ProfileProcessor.indexKey(line.getTime().toEpochMilli(), key), key);
    settings.counts().waiting.increment();
    List<KeyValue<String, VisitEvent>> waiting = of(partnerId);
    if (waiting.size() > settings.maxPerId()) {
      KeyValue<String, VisitEvent> oldest = waiting.get(0);
      for (KeyValue<String, VisitEvent> entry : waiting) {
        if (entry.value.getTime().isBefore(oldest.value.getTime())) {
          oldest = entry;
        }
      }
      remove(oldest.key, oldest.value);
      settings.counts().dropped.increment();
    }
  }

  /** Takes the lines waiting for the partner id, oldest first. */
  List<VisitEvent> release(String partnerId) {
    List<VisitEvent> released = new ArrayList<>();
    for (KeyValue<String, VisitEvent> entry : of(partnerId)) {
      remove(entry.key, entry.value);
      released.add(entry.value);
    }
    released.sort((one, other) -> one.getTime().compareTo(other.getTime()));
    settings.counts().released.add(released.size());
    return released;
  }

  /** Gives up the lines waiting for a partner id that opted out. */
  void optedOut(String partnerId) {
    for (KeyValue<String, VisitEvent> entry : of(partnerId)) {
      remove(entry.key, entry.value);
      settings.counts().optedOut.increment();
    }
  }

  /** Gives up the lines that have waited the ttl by {@code nowMillis}. */
  void expire(long nowMillis) {
    long before = nowMillis - settings.ttl().toMillis();
    if (before < 0) {
      return;
    }
    List<KeyValue<String, String>> due = new ArrayList<>();
    try (KeyValueIterator<String, String> entries =
        byTime.range(ProfileProcessor.indexKey(0, ""), ProfileProcessor.indexKey(before, ""))) {
      entries.forEachRemaining(due::add);
    }
    for (KeyValue<String, String> entry : due) {
      byTime.delete(entry.key);
      if (lines.delete(entry.value) != null) {
        settings.counts().expired.increment();
      }
    }
  }

  private List<KeyValue<String, VisitEvent>> of(String partnerId) {
    List<KeyValue<String, VisitEvent>> found = new ArrayList<>();
    try (KeyValueIterator<String, VisitEvent> entries =
        lines.range(partnerId + SEPARATOR, partnerId + SEPARATOR + '\uffff')) {
      entries.forEachRemaining(found::add);
    }
    return found;
  }

  private void remove(String key, VisitEvent line) {
    lines.delete(key);
    byTime.delete(ProfileProcessor.indexKey(line.getTime().toEpochMilli(), key));
  }

  /** The line as the visitor's own event: keyed by the visitor, once per visitor. */
  static VisitEvent forVisitor(VisitEvent line, String visitorId) {
    return VisitEvent.newBuilder(line)
        .setEventId(line.getEventId() + ":" + visitorId)
        .setVisitorId(visitorId)
        .setPartnerIds(List.of())
        .build();
  }
}
