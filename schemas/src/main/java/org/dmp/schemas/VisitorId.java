package org.dmp.schemas;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a visitor id is, everywhere one is read (a cookie, {@code d_uuid}, a query path, the command
 * line): 1 to 38 decimal digits, like Audience Manager's UUIDs, so ids move between the two systems
 * unchanged; and the cookie value that marks a visitor who opted out.
 */
public final class VisitorId {
  public static final int MAX_DIGITS = 38;

  /** The cookie value of a visitor who opted out. */
  public static final String OPTED_OUT = "NOTARGET";

  private static final Pattern VALID = Pattern.compile("[0-9]{1," + MAX_DIGITS + "}");

  private VisitorId() {}

  public static boolean isValid(String id) {
    return id != null && VALID.matcher(id).matches();
  }

  /** Why {@code value}, given as {@code field}, is not a visitor id; empty when it is one. */
  public static Optional<String> problem(String field, String value) {
    return isValid(value)
        ? Optional.empty()
        : Optional.of(
            field + " must be a visitor id of 1 to " + MAX_DIGITS + " digits, was '" + value + "'");
  }
}
