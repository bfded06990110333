package org.dmp.edge.identity;

import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import org.dmp.schemas.VisitorId;

/**
 * New visitor ids: random numbers written as 38 decimal digits ({@link VisitorId}), like Audience
 * Manager's UUIDs, so ids move between the two systems unchanged.
 *
 * <p>Not thread-safe: one instance per event loop, so that the random generator needs no lock.
 */
final class VisitorIds {
  private static final long EIGHTEEN_DIGITS = 1_000_000_000_000_000_000L;

  /**
   * The largest multiple of 10^18 that a non-negative long can hold: draws at or above it are
   * redrawn.
   */
  private static final long EIGHTEEN_DIGITS_LIMIT =
      Long.MAX_VALUE / EIGHTEEN_DIGITS * EIGHTEEN_DIGITS;

  private static final int POOL_BYTES = 4096;

  private final SecureRandom random = drbg();

  /**
   * Random bytes drawn from the generator a page at a time: one call per id would cost more than
   * the rest of a hit.
   */
  private final ByteBuffer pool = ByteBuffer.allocate(POOL_BYTES).position(POOL_BYTES);

  /**
   * A new id of exactly 38 digits, uniform over that range (about 126 bits): a first digit of 1-9,
   * then 36 digits in two runs of 18 and a last one, each drawn uniformly, so no big-number
   * arithmetic runs on the hot path.
   */
  String next() {
    StringBuilder id = new StringBuilder(VisitorId.MAX_DIGITS).append(1 + below(9));
    appendPadded(id, eighteenDigits());
    appendPadded(id, eighteenDigits());
    return id.append(below(10)).toString();
  }

  /** Uniform in [0, bound) for a bound of at most 256, by rejection. */
  private int below(int bound) {
    int limit = 256 / bound * bound;
    int draw;
    do {
      draw = Byte.toUnsignedInt(randomByte());
    } while (draw >= limit);
    return draw % bound;
  }

  /** Uniform in [0, 10^18), by rejection. */
  private long eighteenDigits() {
    long draw;
    do {
      draw = randomLong() & Long.MAX_VALUE;
    } while (draw >= EIGHTEEN_DIGITS_LIMIT);
    return draw % EIGHTEEN_DIGITS;
  }

  private byte randomByte() {
    refillIfBelow(1);
    return pool.get();
  }

  private long randomLong() {
    refillIfBelow(Long.BYTES);
    return pool.getLong();
  }

  private void refillIfBelow(int needed) {
    if (pool.remaining() < needed) {
      random.nextBytes(pool.array());
      pool.clear();
    }
  }

  private static void appendPadded(StringBuilder id, long eighteenDigits) {
    String digits = Long.toString(eighteenDigits);
    id.append("0".repeat(18 - digits.length())).append(digits);
  }

  /**
   * A generator seeded once from the system, drawing without a system call or a global lock each
   * time.
   */
  private static SecureRandom drbg() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }
}
