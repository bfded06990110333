package org.dmp.sync.destination;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.dmp.avro.Destination;
import org.dmp.avro.PartnerId;
import org.dmp.avro.ProfileUpdate;

/** Turns a visitor's membership change into what one destination is sent, if anything. */
public final class DestinationMapping {
  /** Why a change is not sent to a destination. */
  public enum Skip {
    /** None of the segments that changed is mapped for the destination. */
    NOTHING_MAPPED,
    /** Something would be sent, but the visitor has no id for the destination's data source. */
    NO_PARTNER_ID
  }

  /** What one change gives a destination: a change to send, or why there is none. */
  public record Result(Optional<PartnerChange> change, Optional<Skip> skipped) {
    static Result skip(Skip reason) {
      return new Result(Optional.empty(), Optional.of(reason));
    }
  }

  private final long destinationId;
  private final long dataSourceId;
  private final Map<Long, String> valuesBySegment = new HashMap<>();

  public DestinationMapping(Destination destination) {
    Objects.requireNonNull(destination.getDataSourceId(), () -> "destination " + destination.getId() + " names no data source");
    this.destinationId = destination.getId();
    this.dataSourceId = destination.getDataSourceId();
    destination.getMappings().forEach((segment, value) -> valuesBySegment.put(Long.parseLong(segment), value));
  }

  public Result map(ProfileUpdate update) {
    List<String> added = mapped(update.getAdded());
    List<String> removed = mapped(update.getRemoved());
    if (added.isEmpty() && removed.isEmpty()) {
      return Result.skip(Skip.NOTHING_MAPPED);
    }
    return partnerUserIdOf(update).map(partnerUserId -> new Result(Optional.of(new PartnerChange(destinationId, dataSourceId,
        update.getVisitorId(), update.getVersion(), partnerUserId, added, removed, update.getTime())), Optional.<Skip>empty()))
        .orElseGet(() -> Result.skip(Skip.NO_PARTNER_ID));
  }

  /** The visitor's id for the destination's data source, if they have one. */
  public Optional<String> partnerUserIdOf(ProfileUpdate update) {
    for (PartnerId partnerId : update.getPartnerIds()) {
      if (partnerId.getDataSourceId() == dataSourceId) {
        return Optional.of(partnerId.getPartnerUserId());
      }
    }
    return Optional.empty();
  }

  /** The mapping values of a set of segments, each once, sorted: what a batch line lists. */
  public List<String> mappedSet(java.util.Collection<Long> segments) {
    java.util.TreeSet<String> values = new java.util.TreeSet<>();
    for (Long segment : segments) {
      String value = valuesBySegment.get(segment);
      if (value != null) {
        values.add(value);
      }
    }
    return List.copyOf(values);
  }

  private List<String> mapped(List<Long> segments) {
    List<String> values = new ArrayList<>(segments.size());
    for (Long segment : segments) {
      String value = valuesBySegment.get(segment);
      if (value != null && !values.contains(value)) {
        values.add(value);
      }
    }
    return values;
  }
}
