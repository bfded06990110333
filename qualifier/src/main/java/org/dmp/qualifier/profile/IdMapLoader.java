package org.dmp.qualifier.profile;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.dmp.avro.IdMapping;

/**
 * Keeps the global {@value QualifierTopology#ID_MAP} store as the compacted id map topic says:
 * which visitor each partner id belongs to, on every instance, so that an opt-out by a declared id
 * finds the visitor whichever partition holds them.
 */
final class IdMapLoader implements Processor<String, IdMapping, Void, Void> {
  private KeyValueStore<String, IdMapping> idMap;

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    idMap = context.getStateStore(QualifierTopology.ID_MAP);
  }

  @Override
  public void process(Record<String, IdMapping> record) {
    if (record.key() == null) {
      return;
    }
    if (record.value() == null) {
      idMap.delete(record.key());
    } else {
      idMap.put(record.key(), record.value());
    }
  }
}
