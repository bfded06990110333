package org.dmp.sync.destination;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.dmp.avro.PartnerSegmentUpdate;

/**
 * One visitor's membership change as one destination sees it ({@link DestinationMapping}): the
 * partner's id for the visitor and the destination's mapped values before and after, each sorted.
 *
 * @param version the visitor's profile version: with the visitor id it identifies the change
 * @param regions the edge regions the visitor was last seen in, most recent last
 * @param correction the replay run or backfill that caused the change; null for any other cause
 */
public record PartnerChange(
    long destinationId,
    long dataSourceId,
    String visitorId,
    long version,
    UserChange user,
    Instant time,
    List<Integer> regions,
    String correction) {
  public PartnerChange {
    Objects.requireNonNull(user, "user");
    regions = List.copyOf(regions);
  }

  /** A change with an ordinary cause: an event or time. */
  public PartnerChange(
      long destinationId,
      long dataSourceId,
      String visitorId,
      long version,
      UserChange user,
      Instant time,
      List<Integer> regions) {
    this(destinationId, dataSourceId, visitorId, version, user, time, regions, null);
  }

  public String partnerUserId() {
    return user.partnerUserId();
  }

  /** The values the visitor gained. */
  public List<String> added() {
    return user.added();
  }

  /** The values the visitor lost. */
  public List<String> removed() {
    return user.removed();
  }

  /**
   * Identifies the change: the visitor and version, or for a replay's correction the run and the
   * visitor, so that a partner who drops repeats by it gets a run's change once however often the
   * run is applied.
   */
  public String updateId() {
    return correction == null ? visitorId + ":" + version : correction + ":" + visitorId;
  }

  public PartnerSegmentUpdate toRecord() {
    return new PartnerSegmentUpdate(
        updateId(),
        destinationId,
        dataSourceId,
        partnerUserId(),
        visitorId,
        added(),
        removed(),
        time);
  }
}
