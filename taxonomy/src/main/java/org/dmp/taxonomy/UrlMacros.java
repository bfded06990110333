package org.dmp.taxonomy;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dmp.avro.PartnerId;

/**
 * Audience Manager's macros in URL destinations and ID sync URLs, matched without regard to case:
 * {@code %rnd%} and {@code %timestamp%} (cache busters), {@code %did%} and {@code ${DD_UUID}} (the
 * visitor id), {@code %mcid%} (the Experience Cloud id, which this platform issues as the visitor
 * id), {@code %region%}, {@code %http_proto%} (the page's protocol), {@code %alias%} (the mapped
 * segment value), {@code %dpid_<data source id>%} (the visitor's id at that data source), {@code
 * ${GDPR}} and {@code ${GDPR_CONSENT_<vendor>}} (the call's IAB TCF consent). A macro without a
 * value becomes empty.
 */
public final class UrlMacros {
  private static final Pattern MACRO =
      Pattern.compile(
          "%(rnd|timestamp|did|mcid|region|http_proto|alias|dpid_[1-9][0-9]{0,17})%"
              + "|\\$\\{(dd_uuid|gdpr|gdpr_consent_[0-9]{1,9})\\}",
          Pattern.CASE_INSENSITIVE);

  private static final String DPID_PREFIX = "dpid_";

  private UrlMacros() {}

  /**
   * What the macros stand for in one answer.
   *
   * @param httpProto {@code http} or {@code https}
   * @param partnerIds the visitor's id at each data source known to the call
   * @param gdpr {@code 0}, {@code 1} or empty
   * @param gdprConsent the IAB TCF consent string, or empty
   */
  public record Values(
      String visitorId,
      int region,
      String httpProto,
      Map<Long, String> partnerIds,
      String gdpr,
      String gdprConsent,
      long millis) {
    public Values {
      Objects.requireNonNull(visitorId, "visitorId");
      Objects.requireNonNull(httpProto, "httpProto");
      partnerIds = Map.copyOf(partnerIds);
      Objects.requireNonNull(gdpr, "gdpr");
      Objects.requireNonNull(gdprConsent, "gdprConsent");
    }

    /**
     * The values of a call.
     *
     * @param referer the page that made the call, whose protocol is {@code %http_proto%}; https
     *     when unknown
     * @param partnerIds the partner ids the call declared, the first of each data source
     */
    public static Values of(
        String visitorId,
        int region,
        String referer,
        List<PartnerId> partnerIds,
        String gdpr,
        String gdprConsent,
        long millis) {
      Map<Long, String> byDataSource = new HashMap<>();
      partnerIds.forEach(
          id -> byDataSource.putIfAbsent(id.getDataSourceId(), id.getPartnerUserId()));
      String protocol =
          referer != null && referer.regionMatches(true, 0, "http:", 0, 5) ? "http" : "https";
      return new Values(visitorId, region, protocol, byDataSource, gdpr, gdprConsent, millis);
    }
  }

  /**
   * @param alias the mapped value of the segment the URL fires for; empty for an ID sync
   */
  public static String expand(String url, Values values, String alias) {
    return MACRO
        .matcher(url)
        .replaceAll(macro -> Matcher.quoteReplacement(value(macro, values, alias)));
  }

  /** The URL with every macro replaced by a value that is legal where it stands, to check it. */
  static String standIn(String url) {
    return MACRO
        .matcher(url)
        .replaceAll(macro -> "http_proto".equalsIgnoreCase(macro.group(1)) ? "https" : "0");
  }

  private static String encoded(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String value(MatchResult macro, Values values, String alias) {
    String name =
        (macro.group(1) != null ? macro.group(1) : macro.group(2)).toLowerCase(Locale.ROOT);
    // What the call sent is encoded: a partner id of "x&y=z" must not add a parameter.
    if (name.startsWith(DPID_PREFIX)) {
      return encoded(
          values
              .partnerIds()
              .getOrDefault(Long.parseLong(name.substring(DPID_PREFIX.length())), ""));
    }
    if (name.startsWith("gdpr_consent_")) {
      return encoded(values.gdprConsent());
    }
    return switch (name) {
      case "rnd" -> Long.toString(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
      case "timestamp" -> Long.toString(values.millis());
      case "did", "dd_uuid", "mcid" -> values.visitorId();
      case "region" -> Integer.toString(values.region());
      case "http_proto" -> values.httpProto();
      case "alias" -> alias;
      case "gdpr" -> encoded(values.gdpr());
      default -> throw new IllegalStateException("macro without a value: " + macro.group());
    };
  }
}
