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
 */
public record PartnerChange(
    long destinationId,
    long dataSourceId,
    String visitorId,
    long version,
    UserChange user,
    Instant time,
    List<Integer> regions) {
  public PartnerChange {
    Objects.requireNonNull(user, "user");
    regions = List.copyOf(regions);
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

  public String updateId() {
    return visitorId + ":" + version;
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
