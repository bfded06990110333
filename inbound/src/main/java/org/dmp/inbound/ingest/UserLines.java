package org.dmp.inbound.ingest;

/**
 * How many lines each user has had in one file, for Audience Manager's bound of {@value #MOST}
 * lines per user per file: the first {@value #MOST} count, the rest are rejected.
 *
 * <p>A file may name ten million users. Each is one slot of an open-addressing table, its id's
 * 64-bit hash and a count that stops past the bound, not objects of its own: a map of strings took
 * a gigabyte of heap for such a file (about 150 MB here), and copying it from one young generation
 * to the next cost a tenth of the ingestion's time. Two users whose ids hash alike would share one
 * count: for ten million users the chance that any two do is about three in a million, and even
 * then it changes only whether lines past the bound are refused and how users are counted in the
 * receipt, never a line's content.
 */
final class UserLines {
  static final int MOST = 200;

  /** A count stops here: all that matters is whether it passed {@link #MOST}. */
  private static final int MOST_COUNTED = MOST + 1;

  /** Ids' hashes; 0 marks an empty slot. */
  private long[] hashes = new long[1 << 16];

  private byte[] counts = new byte[1 << 16];
  private int users;

  /**
   * Counts a line of the user.
   *
   * @return the user's line number in the file, up to one past the bound: 1 for a user's first
   */
  int count(String userId) {
    long hash = hash(userId);
    int mask = hashes.length - 1;
    for (int slot = (int) hash & mask; ; slot = (slot + 1) & mask) {
      long held = hashes[slot];
      if (held == hash) {
        int count = Math.min((counts[slot] & 0xFF) + 1, MOST_COUNTED);
        counts[slot] = (byte) count;
        return count;
      }
      if (held == 0) {
        hashes[slot] = hash;
        counts[slot] = 1;
        if (++users * 4L > hashes.length * 3L) {
          grow();
        }
        return 1;
      }
    }
  }

  private void grow() {
    long[] oldHashes = hashes;
    byte[] oldCounts = counts;
    hashes = new long[oldHashes.length * 2];
    counts = new byte[hashes.length];
    int mask = hashes.length - 1;
    for (int old = 0; old < oldHashes.length; old++) {
      if (oldHashes[old] == 0) {
        continue;
      }
      int slot = (int) oldHashes[old] & mask;
      while (hashes[slot] != 0) {
        slot = (slot + 1) & mask;
      }
      hashes[slot] = oldHashes[old];
      counts[slot] = oldCounts[old];
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
