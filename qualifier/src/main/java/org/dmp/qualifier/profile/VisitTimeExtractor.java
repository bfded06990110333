package org.dmp.qualifier.profile;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.dmp.avro.VisitEvent;

/**
 * A visit's time is the event's own, not the Kafka record's: a replay, an onboarded file or any
 * producer that leaves the record timestamp to its clock would otherwise move stream time (and so
 * expiry) to when the record was written rather than when the visit happened.
 */
final class VisitTimeExtractor implements TimestampExtractor {
  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    // A record the source could not decode has no event; it keeps stream time where it is.
    return record.value() instanceof VisitEvent event
        ? event.getTime().toEpochMilli()
        : Math.max(partitionTime, 0);
  }
}
