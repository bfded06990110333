package org.dmp.edge.identity;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Visitor ids: random 128-bit numbers written as 38 decimal digits, like Audience Manager's UUIDs,
 * so ids move between the two systems unchanged.
 *
 * <p>Not thread-safe: one instance per event loop, so that the random generator needs no lock.
 */
public final class VisitorIds {
  public static final int MAX_DIGITS = 38;
  /** The cookie value of a visitor who opted out. */
  public static final String OPTED_OUT = "NOTARGET";

  private static final Pattern VALID = Pattern.compile("[0-9]{1," + MAX_DIGITS + "}");
  private static final BigInteger LOWEST = BigInteger.TEN.pow(MAX_DIGITS - 1);
  private static final BigInteger ABOVE_HIGHEST = BigInteger.TEN.pow(MAX_DIGITS);

  private final SecureRandom random = new SecureRandom();

  public static boolean isValid(String id) {
    return id != null && VALID.matcher(id).matches();
  }

  /**
   * The visitor a call is about: its cookie if that holds a valid id or the opt-out mark, else the
   * declared id, else none (a new visitor). A cookie holding anything else is ignored, not an
   * error: the visitor cannot repair their own cookie.
   */
  public static Optional<String> known(Optional<String> cookie, Optional<String> declared) {
    Optional<String> fromCookie = cookie.filter(value -> value.equals(OPTED_OUT) || isValid(value));
    return fromCookie.isPresent() ? fromCookie : declared;
  }

  /** A new id of exactly 38 digits, uniform over that range. */
  public String next() {
    BigInteger candidate;
    do {
      candidate = new BigInteger(127, random);
    } while (candidate.compareTo(LOWEST) < 0 || candidate.compareTo(ABOVE_HIGHEST) >= 0);
    return candidate.toString();
  }
}
