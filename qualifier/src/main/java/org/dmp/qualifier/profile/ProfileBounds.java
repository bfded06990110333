package org.dmp.qualifier.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.dmp.avro.PartnerId;
import org.dmp.avro.Profile;
import org.dmp.schemas.serde.AvroSerde;

/**
 * How much one profile may hold, so that no visitor's events can grow it past what its store and
 * changelog take (Kafka's 1 MB record limit): past a bound the oldest goes, and is counted.
 *
 * @param realizationsPerTrait realization times kept per trait; the oldest go first
 * @param realizationsPerProfile realization times kept over all traits; the oldest go first
 * @param partnerIds partner ids kept (one per data source); the least recently synced go first
 * @param profileBytes how long the encoded profile may be; past it, the oldest realization times go
 *     until it fits
 */
public record ProfileBounds(
    int realizationsPerTrait,
    int realizationsPerProfile,
    int partnerIds,
    int profileBytes,
    Counts counts) {
  public static final int DEFAULT_REALIZATIONS_PER_PROFILE = 10_000;
  public static final int DEFAULT_PARTNER_IDS = 100;
  public static final int DEFAULT_PROFILE_BYTES = 256 * 1024;

  private static final AvroSerde<Profile> PROFILES = AvroSerde.of(Profile.class);

  public ProfileBounds {
    if (realizationsPerTrait < 1
        || realizationsPerProfile < 1
        || partnerIds < 1
        || profileBytes < 1024) {
      throw new IllegalArgumentException("profile bounds must be positive, and 1 KB at least");
    }
  }

  public ProfileBounds(
      int realizationsPerTrait, int realizationsPerProfile, int partnerIds, int profileBytes) {
    this(realizationsPerTrait, realizationsPerProfile, partnerIds, profileBytes, new Counts());
  }

  /** The defaults, but {@code realizationsPerTrait}. */
  public static ProfileBounds defaults(int realizationsPerTrait) {
    return new ProfileBounds(
        realizationsPerTrait,
        DEFAULT_REALIZATIONS_PER_PROFILE,
        DEFAULT_PARTNER_IDS,
        DEFAULT_PROFILE_BYTES);
  }

  /** What was trimmed or ignored since this instance started. */
  public static final class Counts {
    final LongAdder unknownDataSources = new LongAdder();
    final LongAdder invalidPartnerIds = new LongAdder();
    final LongAdder partnerIds = new LongAdder();
    final LongAdder realizations = new LongAdder();

    /** Partner ids ignored because the taxonomy has no such data source. */
    public long unknownDataSources() {
      return unknownDataSources.sum();
    }

    /**
     * Partner ids ignored because they break the rule of partner ids (length, whitespace): the edge
     * refuses them, so they come from records written by hand.
     */
    public long invalidPartnerIds() {
      return invalidPartnerIds.sum();
    }

    /** Partner ids dropped for newer ones past the bound. */
    public long partnerIds() {
      return partnerIds.sum();
    }

    /** Realization times dropped for newer ones past a bound. */
    public long realizations() {
      return realizations.sum();
    }
  }

  /**
   * Brings {@code profile} and its realizations within the bounds, in place; the realizations are
   * stored in the profile when it had to be encoded to be measured.
   */
  void trim(Profile profile, TraitTimes traitTimes) {
    List<PartnerId> ids = profile.getPartnerIds();
    if (ids.size() > partnerIds) {
      // Kept least recently synced first.
      profile.setPartnerIds(new ArrayList<>(ids.subList(ids.size() - partnerIds, ids.size())));
      counts.partnerIds.add(ids.size() - partnerIds);
    }
    int held = traitTimes.timeCount();
    if (held > realizationsPerProfile) {
      counts.realizations.add(traitTimes.dropOldest(held - realizationsPerProfile));
      held = realizationsPerProfile;
    }
    if (mostBytes(profile, traitTimes) <= profileBytes) {
      return;
    }
    for (int bytes = encodedLength(profile, traitTimes);
        bytes > profileBytes && held > 0;
        bytes = encodedLength(profile, traitTimes)) {
      int drop = (int) Math.min(held, (long) held * (bytes - profileBytes) / bytes + 1);
      counts.realizations.add(traitTimes.dropOldest(drop));
      held -= drop;
    }
  }

  private static int encodedLength(Profile profile, TraitTimes traitTimes) {
    traitTimes.writeTo(profile);
    return PROFILES.encode(profile).length;
  }

  /**
   * More than the profile can encode to (Avro's longs take at most 10 bytes, and strings their
   * UTF-8 length, at most three bytes a char, and a length), so that most profiles are never
   * encoded here.
   */
  private static long mostBytes(Profile profile, TraitTimes traitTimes) {
    long bytes = 64 + 3L * profile.getVisitorId().length() + 5L + traitTimes.packedLength();
    for (PartnerId id : profile.getPartnerIds()) {
      bytes += 25 + 3L * id.getPartnerUserId().length();
    }
    bytes += 10L * profile.getSegments().size() + 5L * profile.getRegions().size();
    return bytes;
  }
}
