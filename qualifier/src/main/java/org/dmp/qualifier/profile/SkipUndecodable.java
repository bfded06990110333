package org.dmp.qualifier.profile;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replay's answer to a record it cannot decode: skip it, since the live qualifier got past it
 * already. The run counts them (what it read against what its offsets span); the log names the
 * first, not each of thousands.
 */
public final class SkipUndecodable implements DeserializationExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(SkipUndecodable.class);
  private static final AtomicBoolean LOGGED = new AtomicBoolean();

  @Override
  public DeserializationHandlerResponse handle(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    if (LOGGED.compareAndSet(false, true)) {
      LOG.warn(
          "Skipping records that cannot be decoded, the first at {}-{}@{}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          exception.getMessage());
    }
    return DeserializationHandlerResponse.CONTINUE;
  }

  @Override
  public void configure(Map<String, ?> configs) {}
}
