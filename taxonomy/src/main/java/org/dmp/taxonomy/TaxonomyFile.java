package org.dmp.taxonomy;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.dmp.avro.BatchMode;
import org.dmp.avro.BatchTarget;
import org.dmp.avro.CookieTarget;
import org.dmp.avro.DataSource;
import org.dmp.avro.Destination;
import org.dmp.avro.DestinationType;
import org.dmp.avro.HttpTarget;
import org.dmp.avro.IdSyncTarget;
import org.dmp.avro.InboundIds;
import org.dmp.avro.KafkaTarget;
import org.dmp.avro.RealtimeProvider;
import org.dmp.avro.Segment;
import org.dmp.avro.Signing;
import org.dmp.avro.Trait;
import org.dmp.avro.TraitType;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.rules.RuleSyntaxException;
import org.dmp.taxonomy.rules.SegmentRule;
import org.dmp.taxonomy.rules.TraitRule;

/**
 * Reads the taxonomy file of DESIGN.md. Unknown fields, missing or mistyped fields, duplicate ids,
 * references to ids that do not exist and rules that do not parse are all reported at once, each
 * with the JSON path of the field at fault.
 */
public final class TaxonomyFile {
  public static final String SAMPLE = "sample-taxonomy.json";

  private static final int DEFAULT_TTL_DAYS = 120;
  private static final int DEFAULT_ID_SYNC_DAYS = 7;
  private static final Pattern ALIAS = Pattern.compile("%alias%", Pattern.CASE_INSENSITIVE);
  private static final int MAX_INTEGRATION_CODE = 255;
  private static final Set<String> SIGNING_ALGORITHMS = Set.of("HmacSHA1", "HmacSHA256", "HmacMD5");

  private final List<String> problems = new ArrayList<>();
  private final Map<String, Map<Long, String>> ids = new HashMap<>();
  private final Map<String, String> integrationCodes = new HashMap<>();

  private TaxonomyFile() {}

  /**
   * @throws TaxonomyException naming the file and every problem in it
   */
  public static Taxonomy read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new TaxonomyException(file.toString(), List.of("cannot be read: " + e.getMessage()));
    }
    return parse(file.toString(), text);
  }

  /** The sample taxonomy of DESIGN.md that the demo runs with. */
  public static Taxonomy sample() {
    try (var in = TaxonomyFile.class.getClassLoader().getResourceAsStream(SAMPLE)) {
      if (in == null) {
        throw new IllegalStateException(SAMPLE + " is missing from the classpath");
      }
      return parse(SAMPLE, new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * @param source what the text is, for messages (a file name)
   */
  public static Taxonomy parse(String source, String text) {
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new TaxonomyException(source, List.of("$: not a JSON object: " + e.getMessage()));
    }
    return new TaxonomyFile().taxonomy(source, json);
  }

  private Taxonomy taxonomy(String source, JsonObject json) {
    JsonFields root = new JsonFields(json, "$", problems);
    List<DataSource> dataSources = new ArrayList<>();
    List<Trait> traits = new ArrayList<>();
    List<Segment> segments = new ArrayList<>();
    List<Destination> destinations = new ArrayList<>();
    root.eachObject("dataSources", fields -> dataSource(fields).ifPresent(dataSources::add));
    // In this order, so that each item's references are checked as it is read, even when the item
    // has other problems: every data source is known before traits, every trait before segments.
    root.eachObject("traits", fields -> trait(fields).ifPresent(traits::add));
    root.eachObject("segments", fields -> segment(fields).ifPresent(segments::add));
    Map<Destination, JsonFields> destinationFields = new LinkedHashMap<>();
    root.eachObject(
        "destinations",
        fields ->
            destination(fields)
                .ifPresent(destination -> destinationFields.put(destination, fields)));
    destinations.addAll(destinationFields.keySet());
    root.done();

    destinationFields.forEach(
        (destination, fields) -> {
          if (destination.getDataSourceId() != null) {
            requireKnown("dataSources", destination.getDataSourceId(), fields.path("dataSource"));
          }
          destination
              .getMappings()
              .keySet()
              .forEach(
                  segmentId -> {
                    try {
                      requireKnown(
                          "segments",
                          Long.parseLong(segmentId),
                          fields.path("mappings") + "." + segmentId);
                    } catch (NumberFormatException e) {
                      problems.add(
                          fields.path("mappings") + "." + segmentId + ": must be a segment id");
                    }
                  });
        });
    if (!problems.isEmpty()) {
      throw new TaxonomyException(source, problems);
    }
    return new Taxonomy(dataSources, traits, segments, destinations);
  }

  private Optional<DataSource> dataSource(JsonFields fields) {
    Optional<Long> id = unique("dataSources", fields);
    Optional<String> name = fields.text("name");
    RealtimeProvider provider =
        fields
            .optionalObject("provider")
            .flatMap(
                json -> {
                  JsonFields provided = fields.nested("provider", json);
                  Optional<String> url =
                      provided.text("url").filter(value -> httpUrl(provided, "url", value));
                  provided.done();
                  return url.map(RealtimeProvider::new);
                })
            .orElse(null);
    Optional<String> integrationCode =
        fields.optionalText("integrationCode").filter(code -> integrationCode(fields, code));
    IdSyncTarget idSync =
        fields
            .optionalObject("idSync")
            .flatMap(
                json -> {
                  JsonFields sync = fields.nested("idSync", json);
                  Optional<String> url =
                      sync.text("url").filter(value -> httpUrl(sync, "url", value));
                  int ttlDays = sync.optionalCount("ttlDays", 1, 365).orElse(DEFAULT_ID_SYNC_DAYS);
                  sync.done();
                  return url.map(value -> new IdSyncTarget(value, ttlDays));
                })
            .orElse(null);
    InboundIds inboundIds =
        fields
            .optionalText("inboundIds")
            .map(
                value -> {
                  if (!value.equals("partner") && !value.equals("visitor")) {
                    fields.problem(
                        "inboundIds", "must be \"partner\" or \"visitor\", was \"" + value + "\"");
                    return InboundIds.PARTNER;
                  }
                  return InboundIds.valueOf(value.toUpperCase(Locale.ROOT));
                })
            .orElse(InboundIds.PARTNER);
    List<String> redirectHosts =
        fields.optionalTexts("redirectHosts").stream()
            .filter(host -> hostName(fields, host))
            .map(host -> host.toLowerCase(Locale.ROOT))
            .toList();
    if (id.isEmpty() || name.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new DataSource(
            id.get(),
            name.get(),
            provider,
            integrationCode.orElse(null),
            idSync,
            inboundIds,
            redirectHosts));
  }

  /** Whether {@code code} can be named in a declared id, and no other data source has it. */
  private boolean integrationCode(JsonFields fields, String code) {
    if (code.length() > MAX_INTEGRATION_CODE || code.chars().anyMatch(Character::isISOControl)) {
      fields.problem(
          "integrationCode",
          "must be at most " + MAX_INTEGRATION_CODE + " characters without control characters");
      return false;
    }
    String earlier = integrationCodes.putIfAbsent(code, fields.path("integrationCode"));
    if (earlier != null) {
      fields.problem("integrationCode", "duplicates \"" + code + "\" of " + earlier);
      return false;
    }
    return true;
  }

  private Optional<Trait> trait(JsonFields fields) {
    Optional<Long> id = unique("traits", fields);
    Optional<String> name = fields.text("name");
    Optional<String> folder = fields.optionalText("folder");
    Optional<Long> dataSource = fields.id("dataSource");
    dataSource.ifPresent(source -> requireKnown("dataSources", source, fields.path("dataSource")));
    Optional<TraitType> type =
        fields
            .text("type")
            .flatMap(
                value ->
                    switch (value) {
                      case "rule" -> Optional.of(TraitType.RULE);
                      case "onboarded" -> Optional.of(TraitType.ONBOARDED);
                      default -> {
                        fields.problem(
                            "type", "must be \"rule\" or \"onboarded\", was \"" + value + "\"");
                        yield Optional.empty();
                      }
                    });
    Optional<String> rule = fields.optionalText("rule");
    int ttlDays = fields.optionalCount("ttlDays", 0, 36_500).orElse(DEFAULT_TTL_DAYS);
    if (type.filter(TraitType.RULE::equals).isPresent()) {
      if (rule.isEmpty()) {
        fields.problem("rule", "is required for a rule trait");
      } else {
        checkRule(fields, () -> TraitRule.parse(rule.get()));
      }
    } else if (type.isPresent() && rule.isPresent()) {
      fields.problem(
          "rule",
          "an onboarded trait has no rule: its realizations come from onboarding files and d_sid");
    }
    if (id.isEmpty() || name.isEmpty() || dataSource.isEmpty() || type.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Trait(
            id.get(),
            name.get(),
            folder.orElse(null),
            dataSource.get(),
            type.get(),
            rule.orElse(null),
            ttlDays));
  }

  private Optional<Segment> segment(JsonFields fields) {
    Optional<Long> id = unique("segments", fields);
    Optional<String> name = fields.text("name");
    Optional<String> folder = fields.optionalText("folder");
    Optional<String> rule = fields.text("rule");
    boolean valid = rule.isPresent() && checkRule(fields, () -> SegmentRule.parse(rule.get()));
    if (valid) {
      SegmentRule.parse(rule.get())
          .traits()
          .forEach(
              trait ->
                  requireKnown("traits", trait, fields.path("rule") + " (trait " + trait + "T)"));
    }
    if (id.isEmpty() || name.isEmpty() || !valid) {
      return Optional.empty();
    }
    return Optional.of(new Segment(id.get(), name.get(), folder.orElse(null), rule.get()));
  }

  private Optional<Destination> destination(JsonFields fields) {
    Optional<Long> id = unique("destinations", fields);
    Optional<String> name = fields.text("name");
    Optional<Long> dataSource = fields.optionalId("dataSource");
    Map<String, String> mappings = new LinkedHashMap<>();
    fields
        .optionalObject("mappings")
        .ifPresent(
            json ->
                json.forEach(
                    entry -> {
                      if (entry.getValue() instanceof String value && !value.isBlank()) {
                        mappings.put(entry.getKey(), value);
                      } else {
                        fields.problem(
                            "mappings." + entry.getKey(),
                            "must be a non-empty string, was "
                                + JsonFields.describe(entry.getValue()));
                      }
                    }));
    Optional<String> typeName = fields.text("type");
    Destination.Builder destination = Destination.newBuilder();
    Optional<DestinationType> type =
        typeName.flatMap(
            value -> {
              try {
                return Optional.of(DestinationType.valueOf(value.toUpperCase(Locale.ROOT)));
              } catch (IllegalArgumentException e) {
                fields.problem(
                    "type",
                    "must be one of http, batch, cookie, url, kafka; was \"" + value + "\"");
                return Optional.empty();
              }
            });
    type.ifPresent(
        kind -> {
          switch (kind) {
            case HTTP -> destination.setHttp(http(fields));
            case BATCH -> destination.setBatch(batch(fields));
            case COOKIE -> destination.setCookie(cookie(fields));
            case KAFKA -> destination.setKafka(new KafkaTarget(partnerTopic(fields)));
            case URL -> {
              Optional<String> template = fields.optionalText("url");
              if (template.isEmpty()) {
                mappings.forEach((segment, url) -> httpUrl(fields, "mappings." + segment, url));
              } else if (httpUrl(fields, "url", template.get())
                  && !ALIAS.matcher(template.get()).find()) {
                fields.problem("url", "must say where each segment's value goes with %alias%");
              }
              destination.setUrlTemplate(template.orElse(null));
            }
          }
          if ((kind == DestinationType.HTTP
                  || kind == DestinationType.BATCH
                  || kind == DestinationType.KAFKA)
              && dataSource.isEmpty()) {
            fields.problem(
                "dataSource",
                "is required for a "
                    + typeName.get()
                    + " destination: its partner ids identify visitors");
          }
        });
    if (id.isEmpty() || name.isEmpty() || type.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        destination
            .setId(id.get())
            .setName(name.get())
            .setType(type.get())
            .setDataSourceId(dataSource.orElse(null))
            .setMappings(mappings)
            .build());
  }

  private static CookieTarget cookie(JsonFields fields) {
    return CookieTarget.newBuilder()
        .setCookieName(fields.text("cookieName").orElse(""))
        .setDomain(fields.optionalText("domain").orElse(null))
        .setTtlDays(fields.optionalCount("ttlDays", 1, 3650).orElse(30))
        .setPairDelimiter(delimiter(fields, "pairDelimiter").orElse("&"))
        .setKeyValueDelimiter(delimiter(fields, "keyValueDelimiter").orElse("="))
        .setSerialDelimiter(delimiter(fields, "serialDelimiter").orElse(null))
        .build();
  }

  /** One to three characters, none of them a control character. */
  private static Optional<String> delimiter(JsonFields fields, String field) {
    return fields
        .optionalText(field)
        .filter(
            value -> {
              if (value.length() > 3 || value.chars().anyMatch(Character::isISOControl)) {
                fields.problem(field, "must be 1 to 3 characters without control characters");
                return false;
              }
              return true;
            });
  }

  private HttpTarget http(JsonFields fields) {
    String url = fields.text("url").filter(value -> httpUrl(fields, "url", value)).orElse("");
    Signing signing =
        fields
            .optionalObject("signing")
            .map(
                json -> {
                  JsonFields signingFields = fields.nested("signing", json);
                  String algorithm = signingFields.text("algorithm").orElse("");
                  if (!algorithm.isEmpty() && !SIGNING_ALGORITHMS.contains(algorithm)) {
                    signingFields.problem(
                        "algorithm",
                        "must be one of "
                            + new java.util.TreeSet<>(SIGNING_ALGORITHMS)
                            + ", was \""
                            + algorithm
                            + "\"");
                  }
                  Signing parsed =
                      new Signing(
                          algorithm,
                          signingFields.text("header").orElse(""),
                          signingFields.text("secretEnv").orElse(""));
                  signingFields.done();
                  return parsed;
                })
            .orElse(null);
    return new HttpTarget(url, fields.optionalText("clientId").orElse(null), signing);
  }

  private BatchTarget batch(JsonFields fields) {
    String interval = fields.optionalText("interval").orElse("PT24H");
    try {
      if (Duration.parse(interval).compareTo(Duration.ofSeconds(1)) < 0) {
        fields.problem("interval", "must be at least one second, was \"" + interval + "\"");
      }
    } catch (DateTimeParseException e) {
      fields.problem(
          "interval", "must be an ISO-8601 duration such as PT24H, was \"" + interval + "\"");
    }
    BatchMode mode =
        fields
            .optionalText("mode")
            .map(
                value -> {
                  if (!value.equals("iter") && !value.equals("full")) {
                    fields.problem("mode", "must be \"iter\" or \"full\", was \"" + value + "\"");
                    return BatchMode.ITER;
                  }
                  return BatchMode.valueOf(value.toUpperCase(Locale.ROOT));
                })
            .orElse(BatchMode.ITER);
    String uploadUrl =
        fields
            .optionalText("uploadUrl")
            .filter(value -> httpUrl(fields, "uploadUrl", value))
            .orElse(null);
    return new BatchTarget(
        interval,
        mode,
        fields.text("outbox").orElse(""),
        fields.text("syncType").orElse(""),
        fields.optionalText("pidAlias").orElse(null),
        fields.optionalBoolean("gzip").orElse(false),
        fields.optionalCount("splitLines", 0, 1_000_000_000).orElse(0),
        uploadUrl);
  }

  /** The item's id, if it is a positive whole number no other item of its kind has. */
  private Optional<Long> unique(String kind, JsonFields fields) {
    Optional<Long> id = fields.id("id");
    id.ifPresent(
        value -> {
          String earlier =
              ids.computeIfAbsent(kind, k -> new HashMap<>()).putIfAbsent(value, fields.path("id"));
          if (earlier != null) {
            fields.problem("id", "duplicates the id " + value + " of " + earlier);
          }
        });
    return id;
  }

  private void requireKnown(String kind, long id, String path) {
    if (!ids.getOrDefault(kind, Map.of()).containsKey(id)) {
      problems.add(
          path
              + ": refers to "
              + kind.substring(0, kind.length() - 1)
                  .replaceAll("([A-Z])", " $1")
                  .toLowerCase(Locale.ROOT)
              + " "
              + id
              + ", which the file does not define");
    }
  }

  private static boolean checkRule(JsonFields fields, Runnable parse) {
    try {
      parse.run();
      return true;
    } catch (RuleSyntaxException e) {
      fields.problem("rule", e.getMessage());
      return false;
    }
  }

  /** A Kafka destination's topic: never one of the pipeline's own, nor Kafka's. */
  private static String partnerTopic(JsonFields fields) {
    String topic = fields.text("topic").orElse("");
    if (Topics.reserved(topic)) {
      fields.problem(
          "topic",
          "must not be one of the pipeline's topics ("
              + Topics.INTERNAL_PREFIX
              + "*) or Kafka's (__*), was \""
              + topic
              + "\"");
    }
    return topic;
  }

  /** A DNS host name: letters, digits, hyphens and dots, no scheme, port or path. */
  private static boolean hostName(JsonFields fields, String host) {
    if (host.length() <= 253
        && host.matches(
            "(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")) {
      return true;
    }
    fields.problem(
        "redirectHosts", "must hold host names such as sync.partner.example, was \"" + host + "\"");
    return false;
  }

  private static boolean httpUrl(JsonFields fields, String field, String value) {
    try {
      // The macros the edge expands in URL destinations are not legal in a URI: check a stand-in.
      URI uri = new URI(UrlMacros.standIn(value));
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return true;
      }
    } catch (URISyntaxException e) {
      // Reported below like any other URL that is not absolute http(s).
    }
    fields.problem(field, "must be an absolute http or https URL, was \"" + value + "\"");
    return false;
  }
}
