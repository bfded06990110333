package org.dmp.sync.destination;

import io.vertx.core.Future;
import org.dmp.avro.Destination;

/**
 * What runs one destination: started by the supervisor when the taxonomy has it, stopped when it no
 * longer does.
 */
public interface DestinationWorker {
  /**
   * The destination as it was when this worker started: a changed destination gets a new worker.
   */
  Destination destination();

  DestinationStatus status();

  /** Stops reading, commits what is done, and releases the destination's resources. */
  Future<Void> stop();
}
