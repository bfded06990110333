package org.dmp.qualifier.profile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dmp.avro.Profile;

/**
 * A visitor's realizations: per trait, the event times (epoch ms, oldest first) it was realized at,
 * traits in ascending order. Held as arrays and stored packed in the profile's {@code traitTimes}
 * bytes, so that reading and writing a profile, which the qualifier does at every event, copies
 * arrays rather than building a map of text keys and lists of boxed times. Not thread-safe.
 *
 * <p>The packed form, little-endian: a format byte (1), the number of traits (int), each trait's id
 * (long) and count of times (int), then every time (long), trait by trait.
 */
public final class TraitTimes {
  private static final byte FORMAT = 1;
  private static final long[] NO_TIMES = {};

  private long[] traits;
  private long[][] times;
  private int size;

  private TraitTimes(long[] traits, long[][] times, int size) {
    this.traits = traits;
    this.times = times;
    this.size = size;
  }

  public static TraitTimes empty() {
    return new TraitTimes(new long[8], new long[8][], 0);
  }

  /**
   * The profile's realizations: from its packed bytes, or from the map of text ids that profiles
   * written before the packed form hold.
   */
  public static TraitTimes of(Profile profile) {
    ByteBuffer packed = profile.getTraitTimes();
    if (packed != null && packed.hasRemaining()) {
      return unpack(packed.duplicate().order(ByteOrder.LITTLE_ENDIAN));
    }
    TraitTimes traitTimes = empty();
    profile
        .getRealizations()
        .forEach(
            (trait, list) ->
                traitTimes.set(
                    Long.parseLong(trait),
                    list.stream().mapToLong(Long::longValue).sorted().toArray()));
    return traitTimes;
  }

  private static TraitTimes unpack(ByteBuffer packed) {
    byte format = packed.get();
    if (format != FORMAT) {
      throw new IllegalArgumentException("unknown trait times format " + format);
    }
    int size = packed.getInt();
    long[] traits = new long[Math.max(size, 8)];
    int[] counts = new int[size];
    for (int at = 0; at < size; at++) {
      traits[at] = packed.getLong();
      counts[at] = packed.getInt();
    }
    long[][] times = new long[traits.length][];
    for (int at = 0; at < size; at++) {
      long[] held = new long[counts[at]];
      packed.asLongBuffer().get(held);
      packed.position(packed.position() + Long.BYTES * held.length);
      times[at] = held;
    }
    return new TraitTimes(traits, times, size);
  }

  /** Stores these realizations in the profile, packed (and empties the map of older profiles). */
  public void writeTo(Profile profile) {
    profile.setTraitTimes(pack());
    if (!profile.getRealizations().isEmpty()) {
      profile.setRealizations(Map.of());
    }
  }

  private ByteBuffer pack() {
    ByteBuffer packed =
        ByteBuffer.allocate(packedLength()).order(ByteOrder.LITTLE_ENDIAN).put(FORMAT).putInt(size);
    for (int at = 0; at < size; at++) {
      packed.putLong(traits[at]).putInt(times[at].length);
    }
    for (int at = 0; at < size; at++) {
      packed.asLongBuffer().put(times[at]);
      packed.position(packed.position() + Long.BYTES * times[at].length);
    }
    return packed.flip();
  }

  /** How many bytes the packed form takes. */
  public int packedLength() {
    return 1 + Integer.BYTES + (Long.BYTES + Integer.BYTES) * size + Long.BYTES * timeCount();
  }

  /** How many traits have realizations. */
  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** The {@code index}-th trait, in ascending order. */
  public long trait(int index) {
    return traits[index];
  }

  /** The times of the {@code index}-th trait, oldest first; not to be changed. */
  public long[] timesAt(int index) {
    return times[index];
  }

  /** The trait's times, oldest first (none if it has no realization); not to be changed. */
  public long[] times(long trait) {
    int at = Arrays.binarySearch(traits, 0, size, trait);
    return at >= 0 ? times[at] : NO_TIMES;
  }

  public boolean holds(long trait) {
    return Arrays.binarySearch(traits, 0, size, trait) >= 0;
  }

  /** The traits held, ascending. */
  public long[] traits() {
    return Arrays.copyOf(traits, size);
  }

  /** How many times over all traits. */
  public int timeCount() {
    int count = 0;
    for (int at = 0; at < size; at++) {
      count += times[at].length;
    }
    return count;
  }

  /** Adds a realization at {@code time}, keeping the trait's latest {@code most} times. */
  public void add(long trait, long time, int most) {
    long[] held = times(trait);
    int at = held.length;
    while (at > 0 && held[at - 1] > time) {
      at--;
    }
    long[] added = new long[held.length + 1];
    System.arraycopy(held, 0, added, 0, at);
    added[at] = time;
    System.arraycopy(held, at, added, at + 1, held.length - at);
    set(
        trait,
        added.length > most ? Arrays.copyOfRange(added, added.length - most, added.length) : added);
  }

  /** Sets the trait's times (ascending; the array is kept, not copied); none removes the trait. */
  public void set(long trait, long[] sortedTimes) {
    int at = Arrays.binarySearch(traits, 0, size, trait);
    if (sortedTimes.length == 0) {
      if (at >= 0) {
        removeAt(at);
      }
      return;
    }
    if (at >= 0) {
      times[at] = sortedTimes;
      return;
    }
    int insertAt = -at - 1;
    if (size == traits.length) {
      traits = Arrays.copyOf(traits, size * 2);
      times = Arrays.copyOf(times, size * 2);
    }
    System.arraycopy(traits, insertAt, traits, insertAt + 1, size - insertAt);
    System.arraycopy(times, insertAt, times, insertAt + 1, size - insertAt);
    traits[insertAt] = trait;
    times[insertAt] = sortedTimes;
    size++;
  }

  /** Removes the trait's realizations; true if it had any. */
  public boolean remove(long trait) {
    int at = Arrays.binarySearch(traits, 0, size, trait);
    if (at < 0) {
      return false;
    }
    removeAt(at);
    return true;
  }

  private void removeAt(int at) {
    System.arraycopy(traits, at + 1, traits, at, size - at - 1);
    System.arraycopy(times, at + 1, times, at, size - at - 1);
    times[--size] = null;
  }

  /** Which of a trait's times to keep. */
  @FunctionalInterface
  public interface Keep {
    boolean keep(long trait, long time);
  }

  /**
   * Drops every time {@code keep} refuses, and traits left with none.
   *
   * @return whether any time was dropped
   */
  public boolean retain(Keep keep) {
    boolean dropped = false;
    int kept = 0;
    for (int at = 0; at < size; at++) {
      long trait = traits[at];
      long[] held = times[at];
      long[] left = held;
      int count = 0;
      for (int each = 0; each < held.length; each++) {
        if (keep.keep(trait, held[each])) {
          if (left != held) {
            left[count] = held[each];
          }
          count++;
        } else if (left == held) {
          left = Arrays.copyOf(held, held.length);
        }
      }
      if (count < held.length) {
        dropped = true;
        left = Arrays.copyOf(left, count);
      }
      if (count > 0) {
        traits[kept] = trait;
        times[kept++] = left;
      }
    }
    Arrays.fill(times, kept, size, null);
    size = kept;
    return dropped;
  }

  /** Drops the {@code count} oldest times over all traits; returns how many it dropped. */
  public int dropOldest(int count) {
    long[] all = new long[timeCount()];
    int at = 0;
    for (int trait = 0; trait < size; trait++) {
      System.arraycopy(times[trait], 0, all, at, times[trait].length);
      at += times[trait].length;
    }
    if (count >= all.length) {
      Arrays.fill(times, 0, size, null);
      size = 0;
      return all.length;
    }
    Arrays.sort(all);
    // Ties at the cut: the earliest traits' go first, so exactly count are dropped.
    long cut = all[count - 1];
    int atCut = count - (int) Arrays.stream(all, 0, count).filter(time -> time < cut).count();
    int[] cutLeft = {atCut};
    retain(
        (trait, time) -> {
          if (time < cut) {
            return false;
          }
          if (time == cut && cutLeft[0] > 0) {
            cutLeft[0]--;
            return false;
          }
          return true;
        });
    return count;
  }

  /** Trait id (as text, ascending by id) to its times: how profiles are shown and corrected. */
  public Map<String, List<Long>> asMap() {
    Map<String, List<Long>> map = new LinkedHashMap<>();
    for (int at = 0; at < size; at++) {
      map.put(Long.toString(traits[at]), Arrays.stream(times[at]).boxed().toList());
    }
    return map;
  }
}
