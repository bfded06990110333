package org.dmp.inbound.format;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of an inbound data file as Audience Manager defines it: {@code ftp_dpm_<DPID>[_<TARGET
 * DPID>]_<10-digit unix seconds>(.sync|.overwrite)[.<split>][.gz]}. The DPID says whose user ids
 * the lines hold; the target, whose traits they realize (the DPID's own when absent). The seconds
 * are the time of every line: the traits' original time.
 *
 * @param split the part number of a file sent in several parts, if given
 */
public record InboundFileName(
    String name,
    long dataSourceId,
    Optional<Long> targetDataSourceId,
    Instant time,
    boolean overwrite,
    Optional<Integer> split,
    boolean gzip) {

  /** Audience Manager's data source of Android advertising ids (GAID), written lower case. */
  public static final long ANDROID_IDS = 20914;

  /** Audience Manager's data source of iOS advertising ids (IDFA), written upper case. */
  public static final long IOS_IDS = 20915;

  private static final Pattern NAME =
      Pattern.compile(
          "ftp_dpm_(\\d{1,18})(?:_(\\d{1,18}))?_(\\d{10})\\.(sync|overwrite)(?:\\.(\\d{1,9}))?(\\.gz)?");

  /**
   * @throws InboundFileException naming what in the name does not parse
   */
  public static InboundFileName parse(String name) {
    Matcher matcher = NAME.matcher(name);
    if (!matcher.matches()) {
      throw new InboundFileException(
          "the file name \""
              + name
              + "\" is not ftp_dpm_<DPID>[_<target DPID>]_<10-digit unix seconds>(.sync|.overwrite)[.<split>][.gz]");
    }
    long dataSourceId = Long.parseLong(matcher.group(1));
    Optional<Long> target = Optional.ofNullable(matcher.group(2)).map(Long::parseLong);
    if ((dataSourceId == ANDROID_IDS || dataSourceId == IOS_IDS) && target.isEmpty()) {
      throw new InboundFileException(
          "the file name \""
              + name
              + "\" holds device advertising ids (DPID "
              + dataSourceId
              + ") but names no target DPID whose traits they realize");
    }
    return new InboundFileName(
        name,
        dataSourceId,
        target,
        Instant.ofEpochSecond(Long.parseLong(matcher.group(3))),
        matcher.group(4).equals("overwrite"),
        Optional.ofNullable(matcher.group(5)).map(Integer::parseInt),
        matcher.group(6) != null);
  }

  /** The data source whose traits the lines realize and whose traits an overwrite replaces. */
  public long traitDataSourceId() {
    return targetDataSourceId.isPresent() ? targetDataSourceId.get() : dataSourceId;
  }

  /** The user id as the id map holds it: device advertising ids in their one case. */
  public String normalized(String userId) {
    if (dataSourceId == IOS_IDS) {
      return userId.toUpperCase(java.util.Locale.ROOT);
    }
    if (dataSourceId == ANDROID_IDS) {
      return userId.toLowerCase(java.util.Locale.ROOT);
    }
    return userId;
  }
}
