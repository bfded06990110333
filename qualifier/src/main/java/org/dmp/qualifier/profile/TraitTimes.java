package org.dmp.qualifier.profile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import org.dmp.avro.Profile;

/**
 * A visitor's realizations: per trait, the event times (epoch ms, oldest first) it was realized at,
 * traits in ascending order. Held in three arrays (the traits, where each trait's times end, and
 * every time, trait after trait) and stored packed in the profile's {@code traitTimes} bytes, so
 * that reading and writing a profile, which the qualifier does at every event, copies three arrays
 * rather than building a map of text keys and lists of boxed times. Not thread-safe.
 *
 * <p>The packed form, little-endian: a format byte (1), the number of traits (int), each trait's id
 * (long), each trait's count of times (int), then every time (long), trait after trait.
 */
public final class TraitTimes {
  private static final byte FORMAT = 1;

  private long[] traits;
  private int[] ends;
  private long[] times;
  private int size;

  private TraitTimes(long[] traits, int[] ends, long[] times, int size) {
    this.traits = traits;
    this.ends = ends;
    this.times = times;
    this.size = size;
  }

  public static TraitTimes empty() {
    return new TraitTimes(new long[8], new int[8], new long[16], 0);
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
    long[] traits = new long[size + 4];
    packed.asLongBuffer().get(traits, 0, size);
    packed.position(packed.position() + Long.BYTES * size);
    int[] ends = new int[traits.length];
    packed.asIntBuffer().get(ends, 0, size);
    packed.position(packed.position() + Integer.BYTES * size);
    for (int at = 1; at < size; at++) {
      ends[at] += ends[at - 1];
    }
    int count = size == 0 ? 0 : ends[size - 1];
    long[] times = new long[count + 8];
    packed.asLongBuffer().get(times, 0, count);
    return new TraitTimes(traits, ends, times, size);
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
    packed.asLongBuffer().put(traits, 0, size);
    packed.position(packed.position() + Long.BYTES * size);
    for (int at = 0; at < size; at++) {
      packed.putInt(ends[at] - first(at));
    }
    packed.asLongBuffer().put(times, 0, timeCount());
    return packed.position(packed.position() + Long.BYTES * timeCount()).flip();
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

  /** Where the {@code index}-th trait, or -(where it would go) - 1. */
  public int indexOf(long trait) {
    return Arrays.binarySearch(traits, 0, size, trait);
  }

  /** Where the times of the {@code index}-th trait start (see {@link #time}). */
  public int first(int index) {
    return index == 0 ? 0 : ends[index - 1];
  }

  /** Where the times of the {@code index}-th trait end, exclusive. */
  public int end(int index) {
    return ends[index];
  }

  /** The {@code at}-th time of all, trait after trait, each trait's oldest first. */
  public long time(int at) {
    return times[at];
  }

  /** The trait's times, oldest first (none if it has no realization), copied. */
  public long[] times(long trait) {
    int at = indexOf(trait);
    return at >= 0 ? Arrays.copyOfRange(times, first(at), end(at)) : new long[0];
  }

  public boolean holds(long trait) {
    return indexOf(trait) >= 0;
  }

  /** Whether the trait has a realization at exactly {@code time}. */
  public boolean holds(long trait, long time) {
    int at = indexOf(trait);
    return at >= 0 && Arrays.binarySearch(times, first(at), end(at), time) >= 0;
  }

  /** The traits held, ascending. */
  public long[] traits() {
    return Arrays.copyOf(traits, size);
  }

  /** How many times over all traits. */
  public int timeCount() {
    return size == 0 ? 0 : ends[size - 1];
  }

  /** Adds a realization at {@code time}, keeping the trait's latest {@code most} times. */
  public void add(long trait, long time, int most) {
    int at = indexOf(trait);
    if (at < 0) {
      at = -at - 1;
      insertTrait(at, trait);
    }
    int first = first(at);
    int insert = ends[at];
    while (insert > first && times[insert - 1] > time) {
      insert--;
    }
    insertTimes(at, insert, 1);
    times[insert] = time;
    int excess = ends[at] - first - most;
    if (excess > 0) {
      removeTimes(at, first, excess);
    }
  }

  /** Sets the trait's times (ascending); none removes the trait. */
  public void set(long trait, long[] sortedTimes) {
    int at = indexOf(trait);
    if (at < 0) {
      if (sortedTimes.length == 0) {
        return;
      }
      at = -at - 1;
      insertTrait(at, trait);
    }
    int held = ends[at] - first(at);
    if (sortedTimes.length > held) {
      insertTimes(at, ends[at], sortedTimes.length - held);
    } else if (sortedTimes.length < held) {
      removeTimes(at, first(at), held - sortedTimes.length);
    }
    System.arraycopy(sortedTimes, 0, times, first(at), sortedTimes.length);
    if (sortedTimes.length == 0) {
      removeTraitAt(at);
    }
  }

  /** Removes the trait's realizations; true if it had any. */
  public boolean remove(long trait) {
    int at = indexOf(trait);
    if (at < 0) {
      return false;
    }
    removeTimes(at, first(at), ends[at] - first(at));
    removeTraitAt(at);
    return true;
  }

  /** A trait with no times yet, at {@code at}. */
  private void insertTrait(int at, long trait) {
    if (size == traits.length) {
      traits = Arrays.copyOf(traits, size * 2 + 4);
      ends = Arrays.copyOf(ends, traits.length);
    }
    System.arraycopy(traits, at, traits, at + 1, size - at);
    System.arraycopy(ends, at, ends, at + 1, size - at);
    traits[at] = trait;
    ends[at] = first(at);
    size++;
  }

  /** Removes the trait at {@code at}, which has no times left. */
  private void removeTraitAt(int at) {
    System.arraycopy(traits, at + 1, traits, at, size - at - 1);
    System.arraycopy(ends, at + 1, ends, at, size - at - 1);
    size--;
  }

  /** Makes room for {@code count} times of the trait at {@code index}, at position {@code at}. */
  private void insertTimes(int index, int at, int count) {
    int all = timeCount();
    if (all + count > times.length) {
      times = Arrays.copyOf(times, Math.max(times.length * 2, all + count));
    }
    System.arraycopy(times, at, times, at + count, all - at);
    for (int trait = index; trait < size; trait++) {
      ends[trait] += count;
    }
  }

  /** Removes {@code count} times of the trait at {@code index}, from position {@code at}. */
  private void removeTimes(int index, int at, int count) {
    int all = timeCount();
    System.arraycopy(times, at + count, times, at, all - at - count);
    for (int trait = index; trait < size; trait++) {
      ends[trait] -= count;
    }
  }

  /** Which of a trait's times to keep. */
  @FunctionalInterface
  public interface Keep {
    boolean keep(long trait, long time);
  }

  /**
   * Drops every time {@code keep} refuses, and traits left with none; {@code keep} is asked trait
   * by trait, ascending, each trait's times oldest first.
   *
   * @return whether any time was dropped
   */
  public boolean retain(Keep keep) {
    int all = timeCount();
    int keptTraits = 0;
    int keptTimes = 0;
    int from = 0;
    for (int at = 0; at < size; at++) {
      long trait = traits[at];
      int keptBefore = keptTimes;
      for (int each = from; each < ends[at]; each++) {
        if (keep.keep(trait, times[each])) {
          times[keptTimes++] = times[each];
        }
      }
      from = ends[at];
      if (keptTimes > keptBefore) {
        traits[keptTraits] = trait;
        ends[keptTraits++] = keptTimes;
      }
    }
    size = keptTraits;
    return keptTimes < all;
  }

  /** Drops the {@code count} oldest times over all traits; returns how many it dropped. */
  public int dropOldest(int count) {
    int all = timeCount();
    if (count >= all) {
      size = 0;
      return all;
    }
    long[] sorted = Arrays.copyOf(times, all);
    Arrays.sort(sorted);
    // Ties at the cut: the earliest traits' go first, so exactly count are dropped.
    long cut = sorted[count - 1];
    int atCut = count - (int) Arrays.stream(sorted, 0, count).filter(time -> time < cut).count();
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
    return asMap(trait -> true);
  }

  /** {@link #asMap()} of the traits {@code wanted} accepts. */
  public Map<String, List<Long>> asMap(LongPredicate wanted) {
    Map<String, List<Long>> map = new LinkedHashMap<>();
    for (int at = 0; at < size; at++) {
      if (wanted.test(traits[at])) {
        map.put(
            Long.toString(traits[at]), Arrays.stream(times, first(at), end(at)).boxed().toList());
      }
    }
    return map;
  }
}
