package org.dmp.edge.dcs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.dmp.avro.PartnerId;
import org.dmp.edge.http.Form;
import org.dmp.edge.http.InvalidHit;

/**
 * Turns the parameters of an {@code /event} hit into a {@link DcsHit}, following Audience Manager's
 * DCS: prefixes {@code c_}, {@code d_}, {@code h_}, {@code p_} and none, and the platform keys that
 * steer the hit instead of describing the visit.
 *
 * <p>{@code h_} keys sent as parameters count as the tag meant them: DIL sends the page's full URL
 * as {@code h_referer}, since browsers cut the {@code Referer} header to the origin. They take the
 * place of the attributes the edge reads from the request's headers.
 *
 * <p>Keys with which Adobe's clients steer a call (container, version, field group, org id,
 * timestamps, location hint and blob of the ID service) are not signals and are not stored.
 */
public final class DcsHitParser {
  /** d_cid's separator between data source id and partner user id (%01 on the wire). */
  private static final char CID_SEPARATOR = '\u0001';

  private static final int MAX_DATA_SOURCE_ID_DIGITS = 18;

  /**
   * A dotted path of JavaScript names, each optionally indexed by numbers, such as {@code
   * s_c_il[0]._setAudienceManagerFields}: nothing in it can end the call and start another
   * statement.
   */
  private static final Pattern CALLBACK =
      Pattern.compile(
          "[A-Za-z_$][A-Za-z0-9_$]{0,63}(\\[[0-9]{1,9}\\]){0,4}"
              + "(\\.[A-Za-z_$][A-Za-z0-9_$]{0,63}(\\[[0-9]{1,9}\\]){0,4}){0,7}");

  private static final int MAX_PARTNER_USER_ID = 255;
  private static final Set<String> PLATFORM_KEYS =
      Set.of("d_uuid", "d_cid", "d_rtbd", "d_cb", "d_cts", "d_dst", "d_tdpid", "d_sid", "d_unsid");

  /** What DIL, the ID service and the mobile SDKs add to steer a call or their own caches. */
  private static final Set<String> STEERING_KEYS =
      Set.of(
          "d_nsid",
          "d_ld",
          "d_jsonv",
          "d_dil_ver",
          "d_ver",
          "d_visid_ver",
          "d_fieldgroup",
          "d_orgid",
          "d_coop_safe",
          "d_coop_unsafe",
          "d_cf",
          "d_verify",
          "d_blob",
          "d_mid",
          "dcs_region",
          "_ts");

  private DcsHitParser() {}

  /**
   * @param form the hit's parameters; {@code d_uuid} among them is the visitor step's
   * @throws InvalidHit naming the first problem found
   */
  public static DcsHit parse(Form form) {
    Map<String, List<String>> signals = new LinkedHashMap<>();
    Map<String, List<String>> privateSignals = new LinkedHashMap<>();
    Map<String, String> httpAttributes = new LinkedHashMap<>();
    form.params()
        .forEach(
            (key, values) -> {
              if (key.startsWith("p_")) {
                privateSignals.put(key, values);
              } else if (key.startsWith("h_")) {
                // Commas inside the value arrive as separators once decoded: put them back.
                httpAttributes.put(key, String.join(",", values));
              } else if (!PLATFORM_KEYS.contains(key) && !STEERING_KEYS.contains(key)) {
                signals.put(key, values);
              }
            });
    boolean json =
        form.single("d_rtbd")
            .map(
                value -> {
                  if (!value.equals("json")) {
                    throw new InvalidHit("d_rtbd must be 'json', was '" + value + "'");
                  }
                  return true;
                })
            .orElse(false);
    Optional<String> callback = form.single("d_cb").map(DcsHitParser::callback);
    Optional<String> cts = form.single("d_cts");
    if (cts.isPresent() && !cts.get().equals("1") && !cts.get().equals("2")) {
      throw new InvalidHit(
          "d_cts must be 1 or 2 (answer with trait and segment ids), was '" + cts.get() + "'");
    }
    boolean urlDestinations =
        form.single("d_dst")
            .map(
                value -> {
                  if (!value.equals("0") && !value.equals("1")) {
                    throw new InvalidHit("d_dst must be 0 or 1, was '" + value + "'");
                  }
                  return value.equals("1");
                })
            .orElse(false);
    var answer =
        new DcsHit.AnswerOptions(
            json || callback.isPresent(), callback, urlDestinations, cts.isPresent());
    return new DcsHit(
        signals,
        privateSignals,
        httpAttributes,
        partnerIds(form.params().getOrDefault("d_cid", List.of())),
        traitIds(form.params().getOrDefault("d_sid", List.of()), "d_sid"),
        traitIds(form.params().getOrDefault("d_unsid", List.of()), "d_unsid"),
        answer,
        form.single("d_tdpid").map(value -> dataSourceId(value, "d_tdpid")));
  }

  /** Pixel-based trait realization: d_sid realizes, d_unsid removes, each a list of trait ids. */
  private static List<Long> traitIds(List<String> values, String key) {
    if (values.isEmpty()) {
      return List.of();
    }
    List<Long> ids = new ArrayList<>(values.size());
    for (String value : values) {
      if (!isDataSourceId(value)) {
        throw new InvalidHit(
            key + " must list trait ids (positive whole numbers), was '" + value + "'");
      }
      ids.add(Long.parseLong(value));
    }
    return ids;
  }

  /** A data source id: a positive whole number. */
  public static long dataSourceId(String value, String key) {
    if (!isDataSourceId(value)) {
      throw new InvalidHit(
          key + " must be a data source id (a positive whole number), was '" + value + "'");
    }
    return Long.parseLong(value);
  }

  /**
   * 1 to 18 digits, the first not 0: checked by hand, since every d_cid of every call goes through
   * it.
   */
  private static boolean isDataSourceId(String value) {
    if (value.isEmpty() || value.length() > MAX_DATA_SOURCE_ID_DIGITS || value.charAt(0) == '0') {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) < '0' || value.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** A partner user id: 1 to 255 characters, none of them a control character. */
  public static String partnerUserId(String value, String key) {
    if (value.isEmpty()
        || value.length() > MAX_PARTNER_USER_ID
        || value.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidHit(
          key + " must be 1 to " + MAX_PARTNER_USER_ID + " characters without control characters");
    }
    return value;
  }

  private static List<PartnerId> partnerIds(List<String> values) {
    if (values.isEmpty()) {
      return List.of();
    }
    List<PartnerId> ids = new ArrayList<>(values.size());
    for (String value : values) {
      ids.add(partnerId(value));
    }
    return ids;
  }

  private static PartnerId partnerId(String value) {
    int separator = value.indexOf(CID_SEPARATOR);
    if (separator < 0) {
      throw new InvalidHit("d_cid must be DPID%01DPUUID (data source id, %01, partner user id)");
    }
    return new PartnerId(
        dataSourceId(value.substring(0, separator), "d_cid's data source id"),
        partnerUserId(value.substring(separator + 1), "d_cid's partner user id"));
  }

  private static String callback(String value) {
    if (!CALLBACK.matcher(value).matches()) {
      throw new InvalidHit(
          "d_cb must be a JavaScript function name (letters, digits, _ and $, dotted at most 8 deep)");
    }
    return value;
  }
}
