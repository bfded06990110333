package org.dmp.sync.destination;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.dmp.avro.Destination;
import org.dmp.avro.PartnerId;
import org.dmp.avro.ProfileUpdate;

/**
 * What one destination sees of a visitor's membership change: the partner's id for the visitor, and
 * the destination's mapped values the visitor had before and has after. The one derivation every
 * channel uses, so a real-time call, a topic record and a file line never disagree: two segments
 * mapped to the same value, say, are one value, which leaves only when both are left.
 */
public final class DestinationMapping {
  /** Why a change is not sent to a destination. */
  public enum Skip {
    /** The change leaves the destination's mapped values as they were. */
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
    Objects.requireNonNull(
        destination.getDataSourceId(),
        () -> "destination " + destination.getId() + " names no data source");
    this.destinationId = destination.getId();
    this.dataSourceId = destination.getDataSourceId();
    destination
        .getMappings()
        .forEach((segment, value) -> valuesBySegment.put(Long.parseLong(segment), value));
  }

  /**
   * The change, when it changes the visitor's mapped values, or when it gives the visitor the
   * partner id this destination knows them by (an ID sync after they qualified): the partner has
   * not heard of that id, so it gets every mapped value as new.
   */
  public Result map(ProfileUpdate update) {
    if (!isFor(update)) {
      return Result.skip(Skip.NOTHING_MAPPED);
    }
    boolean newToPartner = update.getBackfill() || isNewToPartner(update);
    if (!newToPartner && !anyMapped(update.getAdded()) && !anyMapped(update.getRemoved())) {
      // Most changes touch no segment of a given destination: decided without building any set.
      return Result.skip(Skip.NOTHING_MAPPED);
    }
    return derive(update, false, newToPartner);
  }

  /**
   * The change, also when the visitor's mapped values stayed the same but are not empty: a full
   * file lists every member.
   */
  public Result mapIncludingUnchanged(ProfileUpdate update) {
    return derive(update, true, false);
  }

  private Result derive(ProfileUpdate update, boolean includeUnchanged, boolean newToPartner) {
    Set<Long> before = new LinkedHashSet<>(update.getSegments());
    before.removeAll(update.getAdded());
    before.addAll(update.getRemoved());
    List<String> was = newToPartner ? List.of() : mappedSet(before);
    List<String> is = mappedSet(update.getSegments());
    if (was.equals(is) && !(includeUnchanged && !is.isEmpty())) {
      return Result.skip(Skip.NOTHING_MAPPED);
    }
    Optional<String> partnerUserId = partnerUserIdOf(update);
    if (partnerUserId.isEmpty()) {
      return Result.skip(Skip.NO_PARTNER_ID);
    }
    return new Result(
        Optional.of(
            new PartnerChange(
                destinationId,
                dataSourceId,
                update.getVisitorId(),
                update.getVersion(),
                new UserChange(partnerUserId.get(), was, is),
                update.getTime(),
                update.getRegions(),
                update.getCorrection() == null ? null : update.getCorrection().toString())),
        Optional.empty());
  }

  /** False for a change meant for other destinations only (a backfill, say). */
  private boolean isFor(ProfileUpdate update) {
    return update.getOnlyDestinations().isEmpty()
        || update.getOnlyDestinations().contains(destinationId);
  }

  /** The visitor's id for the destination's data source, if they have one. */
  private Optional<String> partnerUserIdOf(ProfileUpdate update) {
    for (PartnerId partnerId : update.getPartnerIds()) {
      if (partnerId.getDataSourceId() == dataSourceId) {
        return Optional.of(partnerId.getPartnerUserId());
      }
    }
    return Optional.empty();
  }

  private boolean isNewToPartner(ProfileUpdate update) {
    for (PartnerId partnerId : update.getNewPartnerIds()) {
      if (partnerId.getDataSourceId() == dataSourceId) {
        return true;
      }
    }
    return false;
  }

  private boolean anyMapped(List<Long> segments) {
    for (Long segment : segments) {
      if (valuesBySegment.containsKey(segment)) {
        return true;
      }
    }
    return false;
  }

  /** The mapping values of a set of segments, each once, sorted. */
  private List<String> mappedSet(Collection<Long> segments) {
    TreeSet<String> values = new TreeSet<>();
    for (Long segment : segments) {
      String value = valuesBySegment.get(segment);
      if (value != null) {
        values.add(value);
      }
    }
    return values.isEmpty() ? List.of() : new ArrayList<>(values);
  }
}
