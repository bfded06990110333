package org.dmp.schemas;

/**
 * What a partner's id for a visitor (a DPUUID, a declared id, an inbound file's user id) may be,
 * everywhere one is read: ids are written into partners' files one per line and tab-separated, so
 * whitespace and control characters would split or inject lines; and each is kept in a profile, so
 * its length is bounded.
 */
public final class PartnerUserId {
  public static final int MAX_LENGTH = 256;

  /** The rule, as said after the id's name in an error. */
  public static final String RULE =
      "must be 1 to " + MAX_LENGTH + " characters without whitespace or control characters";

  private PartnerUserId() {}

  /** Checked by hand, since every declared id of every call goes through it. */
  public static boolean isValid(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      if (!isAllowed(id.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  public static boolean isAllowed(char c) {
    return !Character.isWhitespace(c) && !Character.isISOControl(c) && !Character.isSpaceChar(c);
  }
}
