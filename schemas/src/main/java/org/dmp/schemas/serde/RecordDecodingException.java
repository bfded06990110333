package org.dmp.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes that are not a record this reader knows: an unknown schema fingerprint, a missing marker or
 * a corrupt body. Being a {@link SerializationException}, a Kafka consumer wraps it in a {@code
 * RecordDeserializationException} that names the partition and offset, and Kafka Streams hands it
 * to its deserialization exception handler with the same coordinates.
 */
public final class RecordDecodingException extends SerializationException {
  private static final long serialVersionUID = 1L;

  public RecordDecodingException(String message, Throwable cause) {
    super(message, cause);
  }

  public RecordDecodingException(String message) {
    super(message);
  }
}
