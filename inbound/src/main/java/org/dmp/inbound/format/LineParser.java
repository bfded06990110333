package org.dmp.inbound.format;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.dmp.avro.Trait;
import org.dmp.avro.TraitType;
import org.dmp.schemas.PartnerUserId;
import org.dmp.taxonomy.CompiledTaxonomy;

/**
 * Reads the lines of one inbound file: {@code <user id><TAB><item>,<item>,...}, where an item is
 * {@code d_sid=<trait id>} (realize), {@code d_unsid=<trait id>} (remove; ignored in an {@code
 * .overwrite} file, which replaces everything anyway) or {@code key=value}, optionally quoted as
 * {@code "key"="value"} so that a value may hold commas. The traits named must be onboarded traits
 * of the file's trait data source. A line with any bad item is rejected whole, with the reason.
 */
public final class LineParser {
  /** Longer user ids are refused: an id is a key, not a document. */
  static final int MAX_USER_ID = PartnerUserId.MAX_LENGTH;

  private static final String REALIZE = "d_sid=";
  private static final String REMOVE = "d_unsid=";

  private final InboundFileName file;
  private final Set<Long> onboardedTraits;

  /**
   * @throws InboundFileException when the taxonomy does not know the file's data sources
   */
  public LineParser(InboundFileName file, CompiledTaxonomy taxonomy) {
    this.file = file;
    Set<Long> known =
        taxonomy.source().dataSources().stream()
            .map(dataSource -> dataSource.getId())
            .collect(Collectors.toSet());
    for (long dataSource : List.of(file.dataSourceId(), file.traitDataSourceId())) {
      if (!known.contains(dataSource)) {
        throw new InboundFileException(
            "the file name \""
                + file.name()
                + "\" names data source "
                + dataSource
                + ", which the taxonomy does not have");
      }
    }
    this.onboardedTraits =
        taxonomy.source().traits().stream()
            .filter(trait -> trait.getDataSourceId() == file.traitDataSourceId())
            .filter(trait -> trait.getType() == TraitType.ONBOARDED)
            .map(Trait::getId)
            .collect(Collectors.toSet());
  }

  /**
   * @throws InboundLineException naming what is wrong with the line
   */
  public InboundLine parse(String line) {
    int tab = line.indexOf('\t');
    if (tab < 0) {
      throw new InboundLineException(
          line.isBlank() ? "an empty line" : "no TAB between the user id and the traits");
    }
    String userId = line.substring(0, tab);
    checkUserId(userId);
    List<Long> realized = new ArrayList<>();
    List<Long> removed = new ArrayList<>();
    Map<String, List<String>> signals = new LinkedHashMap<>();
    int at = tab + 1;
    int end = line.length();
    if (end > at && line.charAt(end - 1) == '\r') {
      end--;
    }
    if (at >= end) {
      throw new InboundLineException("no traits after the user id");
    }
    while (at <= end) {
      int itemEnd = itemEnd(line, at, end);
      item(line, at, itemEnd, realized, removed, signals);
      at = itemEnd + 1;
    }
    return new InboundLine(file.normalized(userId), realized, removed, signals);
  }

  private static void checkUserId(String userId) {
    if (userId.isEmpty()) {
      throw new InboundLineException("no user id before the TAB");
    }
    if (userId.length() > MAX_USER_ID) {
      throw new InboundLineException("a user id longer than " + MAX_USER_ID + " characters");
    }
    for (int i = 0; i < userId.length(); i++) {
      char c = userId.charAt(i);
      if (!PartnerUserId.isAllowed(c)) {
        throw new InboundLineException("the user id holds whitespace or a control character");
      }
    }
  }

  /** Where the item starting at {@code from} ends: the next comma outside quotes, or the end. */
  private static int itemEnd(String line, int from, int end) {
    boolean quoted = false;
    for (int i = from; i < end; i++) {
      char c = line.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        return i;
      }
    }
    if (quoted) {
      throw new InboundLineException("a quote is not closed");
    }
    return end;
  }

  /** The item from {@code from} to {@code to} in the line; traits are read where they stand. */
  private void item(
      String line,
      int from,
      int to,
      List<Long> realized,
      List<Long> removed,
      Map<String, List<String>> signals) {
    if (from == to) {
      throw new InboundLineException("an empty item (two commas, or a comma at the end)");
    }
    if (line.startsWith(REALIZE, from)) {
      realized.add(trait(line, from, from + REALIZE.length(), to));
    } else if (line.startsWith(REMOVE, from)) {
      long trait = trait(line, from, from + REMOVE.length(), to);
      if (!file.overwrite()) {
        removed.add(trait);
      }
    } else if (line.startsWith("ic=", from)) {
      throw new InboundLineException(
          "\""
              + line.substring(from, to)
              + "\": trait integration codes (ic=) are not supported; name traits by d_sid");
    } else {
      pair(line.substring(from, to), signals);
    }
  }

  private long trait(String line, int itemFrom, int idFrom, int to) {
    long trait = digits(line, idFrom, to);
    if (trait < 0) {
      try {
        trait = Long.parseLong(line, idFrom, to, 10);
      } catch (NumberFormatException e) {
        throw new InboundLineException(
            "\"" + line.substring(itemFrom, to) + "\": the trait id is not a number");
      }
    }
    if (!onboardedTraits.contains(trait)) {
      throw new InboundLineException(
          "\""
              + line.substring(itemFrom, to)
              + "\": trait "
              + trait
              + " is not an onboarded trait of data source "
              + file.traitDataSourceId());
    }
    return trait;
  }

  /** The number the characters are if they are 1 to 18 plain digits, else -1. */
  private static long digits(String line, int from, int to) {
    if (from == to || to - from > 18) {
      return -1;
    }
    long value = 0;
    for (int i = from; i < to; i++) {
      char c = line.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static void pair(String item, Map<String, List<String>> signals) {
    String key;
    String value;
    if (item.startsWith("\"")) {
      int keyEnd = item.indexOf('"', 1);
      boolean wellFormed =
          keyEnd > 0
              && item.startsWith("=\"", keyEnd + 1)
              && item.length() >= keyEnd + 4
              && item.indexOf('"', keyEnd + 3) == item.length() - 1;
      if (!wellFormed) {
        throw new InboundLineException(
            "\"" + item + "\": a quoted pair must read \"key\"=\"value\"");
      }
      key = item.substring(1, keyEnd);
      value = item.substring(keyEnd + 3, item.length() - 1);
    } else {
      int equals = item.indexOf('=');
      if (equals < 0) {
        throw new InboundLineException(
            "\"" + item + "\" is neither d_sid=<trait id>, d_unsid=<trait id> nor key=value");
      }
      key = item.substring(0, equals);
      value = item.substring(equals + 1);
      if (key.indexOf('"') >= 0 || value.indexOf('"') >= 0) {
        throw new InboundLineException(
            "\"" + item + "\": quote both the key and the value, or neither");
      }
    }
    if (key.isEmpty()) {
      throw new InboundLineException("\"" + item + "\": the key is empty");
    }
    signals.computeIfAbsent(key, k -> new ArrayList<>(1)).add(value);
  }
}
