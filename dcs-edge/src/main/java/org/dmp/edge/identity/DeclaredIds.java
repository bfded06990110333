package org.dmp.edge.identity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dmp.avro.PartnerId;
import org.dmp.edge.http.CallErrors;
import org.dmp.edge.http.Form;
import org.dmp.edge.http.InvalidHit;
import org.dmp.schemas.PartnerUserId;
import org.dmp.schemas.VisitorId;
import org.dmp.taxonomy.DataSources;

/**
 * The partner ids a call declares for its visitor, in each form Adobe's clients send:
 *
 * <ul>
 *   <li>{@code d_cid=<data source id>%01<id>[%01<auth state>]} (repeatable);
 *   <li>{@code d_cid_ic=<integration code>%01<id>[%01<auth state>]} (repeatable), the form of the
 *       ID service and the mobile SDKs;
 *   <li>{@code d_dpid=<data source id>&d_dpuuid=<id>}, paired in order;
 *   <li>{@code d_mid}, when it is not the visitor's own id: an Experience Cloud id issued
 *       elsewhere, kept as a partner id of the data source whose integration code is {@link
 *       DataSources#EXPERIENCE_CLOUD_ID_CODE}, if the taxonomy has one.
 * </ul>
 *
 * <p>As in Audience Manager, a bad declared id does not fail the call: it is left out and reported
 * as error 300, and ids past {@link #MAX_PER_CALL} as error 301. The auth state (0 unknown, 1
 * authenticated, 2 logged out) is checked and not kept: no rule here reads it.
 */
public final class DeclaredIds {
  /** Audience Manager's limit of declared ids in one call. */
  public static final int MAX_PER_CALL = 10;

  /** The separator inside a declared id (%01 on the wire). */
  private static final char SEPARATOR = '\u0001';

  private static final String ENCODED_SEPARATOR = "%01";

  private static final int MAX_DATA_SOURCE_ID_DIGITS = 18;

  private DeclaredIds() {}

  /** The call's declared ids, each bad one reported to {@code errors} and left out. */
  public static List<PartnerId> parse(
      Form form, DataSources dataSources, String visitorId, CallErrors errors) {
    Kept ids = new Kept(errors);
    for (String value : form.params().getOrDefault("d_cid", List.of())) {
      splitDeclaredId(value, "d_cid", errors)
          .ifPresent(
              parts -> {
                if (isDataSourceId(parts.namespace())) {
                  ids.add(new PartnerId(Long.parseLong(parts.namespace()), parts.id()), value);
                } else {
                  invalid(errors, value, "the data source id is not a positive whole number");
                }
              });
    }
    for (String value : form.params().getOrDefault("d_cid_ic", List.of())) {
      splitDeclaredId(value, "d_cid_ic", errors)
          .ifPresent(
              parts ->
                  dataSources
                      .byIntegrationCode(parts.namespace())
                      .ifPresentOrElse(
                          dataSource -> ids.add(new PartnerId(dataSource, parts.id()), value),
                          () ->
                              invalid(
                                  errors,
                                  value,
                                  "no data source has the integration code '"
                                      + parts.namespace()
                                      + "'")));
    }
    dpidPairs(form, ids, errors);
    form.single("d_mid")
        .filter(mid -> VisitorId.isValid(mid) && !mid.equals(visitorId))
        .ifPresent(
            mid ->
                dataSources
                    .byIntegrationCode(DataSources.EXPERIENCE_CLOUD_ID_CODE)
                    .ifPresent(dataSource -> ids.add(new PartnerId(dataSource, mid), mid)));
    List<PartnerId> kept = ids.all();
    if (kept.size() > MAX_PER_CALL) {
      errors.add(
          CallErrors.TOO_MANY_CUSTOMER_IDS,
          "Maximum number of customer ids exceeded. Maximum allowed is "
              + MAX_PER_CALL
              + ". Found is "
              + kept.size()
              + ".");
      return List.copyOf(kept.subList(0, MAX_PER_CALL));
    }
    return kept;
  }

  /**
   * The ids kept so far, one per data source as a profile keeps them: a second, different id for
   * the same data source in one call is reported and left out, so that the call does not swap the
   * visitor's id back and forth.
   */
  private static final class Kept {
    private final Map<Long, PartnerId> byDataSource = new LinkedHashMap<>();
    private final CallErrors errors;

    Kept(CallErrors errors) {
      this.errors = errors;
    }

    void add(PartnerId id, String sent) {
      PartnerId earlier = byDataSource.putIfAbsent(id.getDataSourceId(), id);
      if (earlier != null && !earlier.equals(id)) {
        invalid(
            errors,
            sent,
            "the call already declared another id for data source " + id.getDataSourceId());
      }
    }

    List<PartnerId> all() {
      return new ArrayList<>(byDataSource.values());
    }
  }

  /** d_dpid and d_dpuuid, the n-th of one with the n-th of the other. */
  private static void dpidPairs(Form form, Kept ids, CallErrors errors) {
    List<String> dataSources = form.params().getOrDefault("d_dpid", List.of());
    List<String> users = form.params().getOrDefault("d_dpuuid", List.of());
    for (int i = 0; i < Math.max(dataSources.size(), users.size()); i++) {
      String dataSource = i < dataSources.size() ? dataSources.get(i) : "";
      String user = i < users.size() ? users.get(i) : "";
      String shown = "d_dpid=" + dataSource + "&d_dpuuid=" + user;
      if (!isDataSourceId(dataSource)) {
        invalid(errors, shown, "d_dpid must be a data source id (a positive whole number)");
      } else if (!PartnerUserId.isValid(user)) {
        invalid(errors, shown, "d_dpuuid " + PartnerUserId.RULE);
      } else {
        ids.add(new PartnerId(Long.parseLong(dataSource), user), shown);
      }
    }
  }

  private record Parts(String namespace, String id) {}

  private static Optional<Parts> splitDeclaredId(String sent, String key, CallErrors errors) {
    // Some versions of the mobile SDKs encode the separator twice: once decoded, it reads %01.
    String value =
        sent.indexOf(SEPARATOR) < 0
            ? sent.replace(ENCODED_SEPARATOR, String.valueOf(SEPARATOR))
            : sent;
    int first = value.indexOf(SEPARATOR);
    if (first < 0) {
      invalid(errors, value, key + " must be <data source>%01<id>[%01<auth state>]");
      return Optional.empty();
    }
    int second = value.indexOf(SEPARATOR, first + 1);
    String id = second < 0 ? value.substring(first + 1) : value.substring(first + 1, second);
    if (second >= 0) {
      String authState = value.substring(second + 1);
      if (!authState.equals("0") && !authState.equals("1") && !authState.equals("2")) {
        invalid(errors, value, "the auth state must be 0, 1 or 2, was '" + authState + "'");
        return Optional.empty();
      }
    }
    if (!PartnerUserId.isValid(id)) {
      invalid(errors, value, "the id " + PartnerUserId.RULE);
      return Optional.empty();
    }
    return Optional.of(new Parts(value.substring(0, first), id));
  }

  private static void invalid(CallErrors errors, String value, String why) {
    errors.add(
        CallErrors.INVALID_CUSTOMER_ID,
        "Invalid customer id " + value.replace(SEPARATOR, ':') + ": " + why);
  }

  /**
   * A data source id, named {@code key} in the message if it is not one.
   *
   * @throws InvalidHit if {@code value} is not a positive whole number
   */
  public static long dataSourceId(String value, String key) {
    if (!isDataSourceId(value)) {
      throw new InvalidHit(
          key + " must be a data source id (a positive whole number), was '" + value + "'");
    }
    return Long.parseLong(value);
  }

  /**
   * A partner's id for a user, named {@code key} in the message if it is not one.
   *
   * @throws InvalidHit if {@code value} is empty, too long or holds whitespace or a control
   *     character
   */
  public static String partnerUserId(String value, String key) {
    if (!PartnerUserId.isValid(value)) {
      throw new InvalidHit(key + " " + PartnerUserId.RULE);
    }
    return value;
  }

  /**
   * 1 to 18 digits, the first not 0: checked by hand, since every declared id of every call goes
   * through it.
   */
  public static boolean isDataSourceId(String value) {
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
}
