package org.dmp.inbound.ingest;

/**
 * How many lines each user has had in one file, for Audience Manager's bound of {@value #MOST}
 * lines per user per file: the first {@value #MOST} count, the rest are rejected.
 *
 * <p>A file may name ten million users. Each is one slot of an open-addressing table of longs, its
 * id's 64-bit hash beside its count, not objects of its own: a map of strings took a gigabyte of
 * heap for such a file, copying it from one young generation to the next cost a tenth of the
 * ingestion's time, and comparing ids kept apart from the table cost a cache miss per line. Two
 * users whose ids hash alike would share one count: for ten million users the chance that any two
 * do is about three in a million, and even then it changes only whether lines past the bound are
 * refused and how users are counted in the receipt, never a line's content.
 */
final class UserLines {
  static final int MOST = 200;

  /** Hash and count, side by side; a hash of 0 marks an empty slot. */
  private long[] slots = new long[2 << 16];

  private int users;

  /**
   * Counts a line of the user.
   *
   * @return the user's line number in the file: 1 for a user's first line
   */
  int count(String userId) {
    long hash = hash(userId);
    int mask = slots.length / 2 - 1;
    for (int slot = (int) hash & mask; ; slot = (slot + 1) & mask) {
      long held = slots[2 * slot];
      if (held == hash) {
        long count = slots[2 * slot + 1] + 1;
        slots[2 * slot + 1] = count;
        return (int) Math.min(count, Integer.MAX_VALUE);
      }
      if (held == 0) {
        slots[2 * slot] = hash;
        slots[2 * slot + 1] = 1;
        if (++users * 4 > slots.length) {
          grow();
        }
        return 1;
      }
    }
  }

  private void grow() {
    long[] old = slots;
    slots = new long[old.length * 2];
    int mask = slots.length / 2 - 1;
    for (int index = 0; index < old.length; index += 2) {
      if (old[index] == 0) {
        continue;
      }
      int slot = (int) old[index] & mask;
      while (slots[2 * slot] != 0) {
        slot = (slot + 1) & mask;
      }
      slots[2 * slot] = old[index];
      slots[2 * slot + 1] = old[index + 1];
    }
  }

  /** FNV-1a over the characters, then mixed so that the low bits the table uses vary with all. */
  private static long hash(String userId) {
    long hash = 0xcbf29ce484222325L;
    for (int i = 0; i < userId.length(); i++) {
      hash = (hash ^ userId.charAt(i)) * 0x100000001b3L;
    }
    hash ^= hash >>> 33;
    hash *= 0xff51afd7ed558ccdL;
    hash ^= hash >>> 33;
    hash *= 0xc4ceb9fe1a85ec53L;
    hash ^= hash >>> 33;
    return hash == 0 ? 1 : hash;
  }
}
