package org.dmp.qualifier.profile;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.dmp.runtime.kafka.Rejections;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The qualifier's answer to a record it cannot take: one that does not decode (or is longer than
 * its topic allows), one whose processing throws, or one whose output is too large to write. Each
 * is set aside to the rejected records' topic with the reason, and the records after it are
 * processed; without this, Kafka Streams would read the same record and fail again without end.
 *
 * <p>The record is written before the handler returns, so the offset committed past it never covers
 * a record that is nowhere. Should the write fail, the handler fails the task instead of losing the
 * record.
 *
 * <p>Kafka Streams makes its handlers from class names; each finds the process's {@link Rejections}
 * among the settings, under {@link #REJECTIONS}.
 */
public final class SetAside
    implements DeserializationExceptionHandler,
        ProcessingExceptionHandler,
        ProductionExceptionHandler {
  /** The settings key of the {@link Rejections} the handlers write to. */
  public static final String REJECTIONS = "dmp.rejections";

  private static final Logger LOG = LoggerFactory.getLogger(SetAside.class);

  private Rejections rejections;

  /** Has Kafka Streams set records aside with {@code rejections}. */
  public static Properties install(Properties streamsProperties, Rejections rejections) {
    streamsProperties.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, SetAside.class);
    streamsProperties.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, SetAside.class);
    streamsProperties.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, SetAside.class);
    streamsProperties.put(REJECTIONS, rejections);
    return streamsProperties;
  }

  @Override
  public void configure(Map<String, ?> configs) {
    Object configured = configs.get(REJECTIONS);
    if (!(configured instanceof Rejections given)) {
      throw new IllegalArgumentException(
          REJECTIONS + " must hold the Rejections to write to, not " + configured);
    }
    this.rejections = given;
  }

  @Override
  public DeserializationHandlerResponse handle(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    return setAside(
            record.topic(),
            record.partition(),
            record.offset(),
            record.key(),
            record.value(),
            record.headers(),
            "it cannot be read: " + exception.getMessage())
        ? DeserializationHandlerResponse.CONTINUE
        : DeserializationHandlerResponse.FAIL;
  }

  @Override
  public ProcessingHandlerResponse handle(
      ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    LOG.error(
        "Processing {}-{}@{} failed at {}",
        context.topic(),
        context.partition(),
        context.offset(),
        context.processorNodeId(),
        exception);
    return setAside(context, context.sourceRawValue(), "processing it failed: " + exception)
        ? ProcessingHandlerResponse.CONTINUE
        : ProcessingHandlerResponse.FAIL;
  }

  @Override
  public ProductionExceptionHandlerResponse handle(
      ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
    if (!(exception instanceof RecordTooLargeException)) {
      return ProductionExceptionHandlerResponse.FAIL;
    }
    // The input is kept, not the output, which is too large for any topic.
    return setAside(
            context,
            context.sourceRawValue(),
            "its output to "
                + record.topic()
                + " ("
                + (record.value() == null ? 0 : record.value().length)
                + " bytes) is too large to write: "
                + exception.getMessage())
        ? ProductionExceptionHandlerResponse.CONTINUE
        : ProductionExceptionHandlerResponse.FAIL;
  }

  private boolean setAside(ErrorHandlerContext context, byte[] value, String reason) {
    return setAside(
        context.topic(),
        context.partition(),
        context.offset(),
        context.sourceRawKey(),
        value,
        context.headers(),
        reason);
  }

  private boolean setAside(
      String topic,
      int partition,
      long offset,
      byte[] key,
      byte[] value,
      Headers headers,
      String reason) {
    try {
      rejections.reject(topic, partition, offset, key, value, headers, reason);
      return true;
    } catch (KafkaException e) {
      LOG.error("Cannot set {}-{}@{} aside; failing instead", topic, partition, offset, e);
      return false;
    }
  }
}
