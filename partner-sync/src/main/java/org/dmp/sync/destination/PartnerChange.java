package org.dmp.sync.destination;

import java.time.Instant;
import java.util.List;
import org.dmp.avro.PartnerSegmentUpdate;

/**
 * One visitor's segment change as one destination sees it: the partner's id for the visitor and
 * the mapping values of the segments entered and left.
 *
 * @param version the visitor's profile version: with the visitor id it identifies the change
 */
public record PartnerChange(long destinationId, long dataSourceId, String visitorId, long version, String partnerUserId,
    List<String> added, List<String> removed, Instant time) {

  public PartnerChange {
    added = List.copyOf(added);
    removed = List.copyOf(removed);
  }

  public String updateId() {
    return visitorId + ":" + version;
  }

  public PartnerSegmentUpdate toRecord() {
    return new PartnerSegmentUpdate(updateId(), destinationId, dataSourceId, partnerUserId, visitorId, added, removed, time);
  }
}
