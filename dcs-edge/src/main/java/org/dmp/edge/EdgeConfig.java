package org.dmp.edge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.dmp.config.ConfigReader;
import org.dmp.config.SettingsSpec;
import org.dmp.edge.http.RequestLimits;
import org.dmp.edge.identity.VisitorCookie;
import org.dmp.edge.optout.PendingOptOuts;
import org.dmp.edge.provider.RealtimeProviders;
import org.dmp.edge.visit.KafkaVisitLog;
import org.dmp.runtime.CommonConfig;

/** The edge's configuration, read once from dcs-edge.properties, DMP_ variables and flags. */
public record EdgeConfig(
    CommonConfig common,
    int instances,
    Optional<Tls> tls,
    RequestLimits limits,
    int region,
    VisitorCookie cookie,
    KafkaVisitLog.Settings produce,
    RealtimeProviders.Settings providers,
    Answers answers,
    Browsers browsers,
    PendingOptOuts.Settings optOuts) {

  private static final Pattern SUBDOMAIN =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
  private static final Pattern ORIGIN = Pattern.compile("https?://[a-z0-9.-]+(:[0-9]{1,5})?");
  private static final Pattern HOST = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");

  /**
   * How the edge meets browsers on other sites.
   *
   * @param allowedOrigins origins whose pages may read the edge's answers ({@code *}: any)
   * @param trustForwardedProto whether a TLS-terminating proxy's {@code X-Forwarded-Proto} says
   *     that a hit came over HTTPS
   * @param subdomain the partner name the ID service is told ({@code subdomain} in {@code /id})
   * @param redirectHosts hosts any ID sync may redirect to, beside those its data source declares
   */
  public record Browsers(
      Set<String> allowedOrigins,
      boolean trustForwardedProto,
      String subdomain,
      Set<String> redirectHosts) {
    public Browsers {
      allowedOrigins = Set.copyOf(allowedOrigins);
      redirectHosts = Set.copyOf(redirectHosts);
      Objects.requireNonNull(subdomain, "subdomain");
    }
  }

  public static final SettingsSpec SETTINGS = CommonConfig.spec("dcs-edge");

  public EdgeConfig {
    Objects.requireNonNull(common, "common");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(cookie, "cookie");
    Objects.requireNonNull(produce, "produce");
    Objects.requireNonNull(providers, "providers");
    Objects.requireNonNull(answers, "answers");
    Objects.requireNonNull(browsers, "browsers");
  }

  /**
   * Where the qualifier answers same-hit questions (none: answers carry no segments), how long to
   * wait, and how many questions may be out at once (beyond that, answers are stale at once).
   */
  public record Answers(Optional<String> qualifierUrl, Duration deadline, int maxInFlight) {}

  /** PEM files of the certificate chain and its private key. */
  public record Tls(Path certificate, Path key) {}

  private static String compression(ConfigReader reader) {
    String compression = reader.text("produce.compression");
    if (!Set.of("none", "lz4", "zstd", "snappy", "gzip").contains(compression)) {
      reader.problem(
          "produce.compression must be none, lz4, zstd, snappy or gzip, was '" + compression + "'");
    }
    return compression;
  }

  public static EdgeConfig read(ConfigReader reader) {
    CommonConfig common = CommonConfig.read(reader);
    Optional<String> cert = reader.optionalText("http.tls.cert");
    Optional<String> key = reader.optionalText("http.tls.key");
    if (cert.isPresent() != key.isPresent()) {
      reader.problem("http.tls.cert and http.tls.key go together: set both for TLS, or neither");
    }
    Optional<Tls> tls =
        cert.isPresent() && key.isPresent()
            ? Optional.of(new Tls(Path.of(cert.get()), Path.of(key.get())))
            : Optional.empty();
    RequestLimits limits =
        new RequestLimits(
            reader.integer("dcs.max-url-bytes", 256, 1 << 20),
            reader.integer("dcs.max-body-bytes", 256, 16 << 20),
            reader.integer("dcs.max-keys", 1, 100_000),
            reader.integer("dcs.max-key-length", 8, 4096));
    VisitorCookie cookie =
        new VisitorCookie(
            reader.text("cookie.name"),
            reader.optionalText("cookie.domain"),
            reader.duration("cookie.max-age", Duration.ofMinutes(1), Duration.ofDays(3650)),
            reader.duration("cookie.opt-out-max-age", Duration.ofDays(1), Duration.ofDays(36500)));
    KafkaVisitLog.Settings produce =
        new KafkaVisitLog.Settings(
            reader.integer("produce.max-in-flight", 1, 1_000_000),
            reader.duration("produce.timeout", Duration.ofMillis(100), Duration.ofMinutes(10)),
            reader.duration("produce.linger", Duration.ZERO, Duration.ofSeconds(1)),
            compression(reader),
            reader.duration("produce.retry-after", Duration.ofSeconds(1), Duration.ofHours(1)));
    if (produce.timeout().compareTo(produce.linger()) <= 0) {
      reader.problem(
          "produce.timeout ("
              + produce.timeout()
              + ") must be longer than produce.linger ("
              + produce.linger()
              + ")");
    }
    RealtimeProviders.Settings providers =
        new RealtimeProviders.Settings(
            reader.duration("provider.timeout", Duration.ofMillis(1), Duration.ofSeconds(10)),
            reader.integer("provider.failures-to-open", 1, 1000),
            reader.duration("provider.reset-after", Duration.ofMillis(100), Duration.ofHours(1)));
    Answers answers =
        new Answers(
            reader.optionalText("answers.qualifier-url").map(url -> url.replaceAll("/+$", "")),
            reader.duration("answers.deadline", Duration.ofMillis(1), Duration.ofSeconds(5)),
            reader.integer("answers.max-in-flight", 1, 100_000));
    return new EdgeConfig(
        common,
        reader.integer("http.instances", 0, 256),
        tls,
        limits,
        reader.integer("dcs.region", 0, Integer.MAX_VALUE),
        cookie,
        produce,
        providers,
        answers,
        new Browsers(
            allowedOrigins(reader),
            reader.bool("http.trust-forwarded-proto"),
            subdomain(reader),
            redirectHosts(reader)),
        new PendingOptOuts.Settings(
            reader.integer("optout.max-pending", 0, 10_000_000),
            reader.optionalPath("optout.journal-dir")));
  }

  private static String subdomain(ConfigReader reader) {
    String subdomain = reader.text("dcs.subdomain");
    if (!SUBDOMAIN.matcher(subdomain).matches()) {
      reader.problem(
          "dcs.subdomain must be a DNS label (letters, digits and -), was '" + subdomain + "'");
    }
    return subdomain;
  }

  /** Comma-separated host names; empty for none. */
  private static Set<String> redirectHosts(ConfigReader reader) {
    Set<String> hosts = new LinkedHashSet<>();
    for (String host : reader.optionalText("dcs.ibs.redirect-hosts").orElse("").split(",")) {
      String normalised = host.trim().toLowerCase(Locale.ROOT);
      if (normalised.isEmpty()) {
        continue;
      }
      if (!HOST.matcher(normalised).matches()) {
        reader.problem(
            "dcs.ibs.redirect-hosts must list host names such as sync.partner.example; '"
                + host.trim()
                + "' is not one");
      }
      hosts.add(normalised);
    }
    return hosts;
  }

  /** Comma-separated origins ({@code https://shop.example[:port]}), or {@code *} for any. */
  private static Set<String> allowedOrigins(ConfigReader reader) {
    Set<String> origins = new LinkedHashSet<>();
    for (String origin : reader.text("dcs.cors.allowed-origins").split(",", -1)) {
      String normalised = origin.trim().toLowerCase(Locale.ROOT);
      if (!normalised.equals("*") && !ORIGIN.matcher(normalised).matches()) {
        reader.problem(
            "dcs.cors.allowed-origins must list origins such as https://shop.example or be *; '"
                + origin.trim()
                + "' is not one");
      }
      origins.add(normalised);
    }
    return origins;
  }
}
