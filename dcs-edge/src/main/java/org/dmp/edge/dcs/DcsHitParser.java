package org.dmp.edge.dcs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.dmp.edge.http.CallErrors;
import org.dmp.edge.http.Form;
import org.dmp.edge.http.InvalidHit;
import org.dmp.edge.http.Responses;
import org.dmp.edge.identity.DeclaredIds;
import org.dmp.taxonomy.DataSources;

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
  private static final Set<String> PLATFORM_KEYS =
      Set.of(
          "d_uuid",
          "d_cid",
          "d_cid_ic",
          "d_dpid",
          "d_dpuuid",
          "d_mid",
          "d_rtbd",
          "d_cb",
          "d_cts",
          "d_dst",
          "d_tdpid",
          "d_tdpid_ic",
          "d_coppa",
          "d_sid",
          "d_unsid");

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
          "dcs_region",
          "_ts");

  private DcsHitParser() {}

  /**
   * @param form the hit's parameters; {@code d_uuid} and {@code d_mid} among them are the visitor
   *     step's
   * @param visitorId the visitor the visitor step resolved
   * @param errors where a bad declared id is reported: it does not fail the hit
   * @throws InvalidHit naming the first problem found in the rest of the hit
   */
  public static DcsHit parse(
      Form form, DataSources dataSources, String visitorId, CallErrors errors) {
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
    Optional<String> callback = Responses.callback(form);
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
        DeclaredIds.parse(form, dataSources, visitorId, errors),
        traitIds(form.params().getOrDefault("d_sid", List.of()), "d_sid"),
        traitIds(form.params().getOrDefault("d_unsid", List.of()), "d_unsid"),
        answer,
        targetDataSourceId(form, dataSources));
  }

  /** d_tdpid, or d_tdpid_ic naming the data source by its integration code. */
  private static Optional<Long> targetDataSourceId(Form form, DataSources dataSources) {
    Optional<Long> byId =
        form.single("d_tdpid").map(value -> DeclaredIds.dataSourceId(value, "d_tdpid"));
    Optional<String> code = form.single("d_tdpid_ic");
    if (code.isEmpty()) {
      return byId;
    }
    if (byId.isPresent()) {
      throw new InvalidHit("give d_tdpid or d_tdpid_ic, not both");
    }
    return Optional.of(
        dataSources
            .byIntegrationCode(code.get())
            .orElseThrow(
                () ->
                    new InvalidHit(
                        "d_tdpid_ic '" + code.get() + "' is no data source's integration code")));
  }

  /** Pixel-based trait realization: d_sid realizes, d_unsid removes, each a list of trait ids. */
  private static List<Long> traitIds(List<String> values, String key) {
    if (values.isEmpty()) {
      return List.of();
    }
    List<Long> ids = new ArrayList<>(values.size());
    for (String value : values) {
      if (!DeclaredIds.isDataSourceId(value)) {
        throw new InvalidHit(
            key + " must list trait ids (positive whole numbers), was '" + value + "'");
      }
      ids.add(Long.parseLong(value));
    }
    return ids;
  }
}
