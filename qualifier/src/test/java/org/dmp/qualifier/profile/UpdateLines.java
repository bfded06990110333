package org.dmp.qualifier.profile;

import org.dmp.avro.ProfileUpdate;

/** A segment update as one comparable line: what tests of runs that must agree compare. */
public final class UpdateLines {
  private UpdateLines() {}

  /** (visitor, version, segments, added, removed, time, cause). */
  public static String describe(ProfileUpdate update) {
    return update.getVisitorId()
        + " v"
        + update.getVersion()
        + " "
        + update.getSegments()
        + " +"
        + update.getAdded()
        + " -"
        + update.getRemoved()
        + " at "
        + update.getTime()
        + (update.getCauseEventId() == null ? " by time" : " by " + update.getCauseEventId());
  }

  /** Whether time alone made the change. */
  public static boolean byTime(String line) {
    return line.endsWith(" by time");
  }
}
