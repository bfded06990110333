package org.dmp.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads typed values from {@link Settings}, collecting every problem instead of stopping at the
 * first, so a configuration record is built in one pass and {@link #validate()} reports all at
 * once.
 *
 * <p>A getter whose value is invalid returns a harmless placeholder (empty, zero): the record built
 * from it is thrown away when {@code validate} throws.
 */
public final class ConfigReader {
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
  private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9._-]+:(\\d{1,5})");

  private final Settings settings;
  private final List<String> problems = new ArrayList<>();

  public ConfigReader(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    problems.addAll(settings.problems());
  }

  /** A non-blank text. */
  public String text(String key) {
    return read(key, "", value -> value.isBlank() ? fail("must not be empty") : value);
  }

  /** A text that may be empty, as empty. */
  public Optional<String> optionalText(String key) {
    return Optional.of(read(key, "", Function.identity())).filter(value -> !value.isBlank());
  }

  public int integer(String key, int min, int max) {
    return read(
        key,
        min,
        value -> {
          int number;
          try {
            number = Integer.parseInt(value);
          } catch (NumberFormatException e) {
            return fail("must be a whole number");
          }
          return number < min || number > max
              ? fail("must be between " + min + " and " + max)
              : number;
        });
  }

  /** A TCP port, or 0 where the program may pick a free one. */
  public int port(String key, boolean zeroAllowed) {
    return integer(key, zeroAllowed ? 0 : 1, 65_535);
  }

  public boolean bool(String key) {
    return read(
        key,
        false,
        value ->
            switch (value.toLowerCase(Locale.ROOT)) {
              case "true", "yes", "1" -> true;
              case "false", "no", "0" -> false;
              default -> fail("must be true or false");
            });
  }

  /**
   * A duration as ISO-8601 ({@code PT5S}) or a number with a unit: {@code 250ms}, {@code 5s},
   * {@code 2m}, {@code 24h}, {@code 7d}.
   */
  public Duration duration(String key, Duration min, Duration max) {
    return read(
        key,
        min,
        value -> {
          Duration duration = parseDuration(value);
          if (duration == null) {
            return fail("must be a duration such as 250ms, 5s, 2m, 24h, 7d or PT5S");
          }
          return duration.compareTo(min) < 0 || duration.compareTo(max) > 0
              ? fail("must be between " + min + " and " + max)
              : duration;
        });
  }

  /** Comma-separated {@code host:port} pairs, e.g. Kafka bootstrap servers. */
  public String hostPorts(String key) {
    return read(
        key,
        "",
        value -> {
          if (value.isBlank()) {
            return fail("must name at least one host:port");
          }
          for (String address : value.split(",", -1)) {
            Matcher matcher = HOST_PORT.matcher(address.trim());
            if (!matcher.matches() || Integer.parseInt(matcher.group(1)) > 65_535) {
              return fail("must be host:port[,host:port...]; '" + address.trim() + "' is not");
            }
          }
          return value.replace(" ", "");
        });
  }

  /** A path that may be left empty, as empty. */
  public Optional<Path> optionalPath(String key) {
    return optionalText(key)
        .map(
            value -> {
              try {
                return Path.of(value.trim());
              } catch (InvalidPathException e) {
                return fail("is not a valid path: " + e.getReason());
              }
            });
  }

  public Path path(String key) {
    return read(
        key,
        Path.of(""),
        value -> {
          if (value.isBlank()) {
            return fail("must name a path");
          }
          try {
            return Path.of(value);
          } catch (InvalidPathException e) {
            return fail("is not a valid path: " + e.getReason());
          }
        });
  }

  /** Records a problem that spans settings, found while building the configuration record. */
  public void problem(String text) {
    problems.add(text);
  }

  /**
   * @throws ConfigException naming every problem met so far
   */
  public void validate() {
    if (!problems.isEmpty()) {
      throw new ConfigException(settings.name(), problems);
    }
  }

  public Settings settings() {
    return settings;
  }

  public static Duration parseDuration(String value) {
    String trimmed = value.trim();
    if (trimmed.toUpperCase(Locale.ROOT).startsWith("P")) {
      try {
        return Duration.parse(trimmed.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    Matcher matcher = SHORT_DURATION.matcher(trimmed);
    if (!matcher.matches()) {
      return null;
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }

  private <T> T read(String key, T placeholder, Function<String, T> parse) {
    Optional<Setting> setting = settings.get(key);
    if (setting.isEmpty()) {
      problems.add(key + ": no such setting (it is missing from the defaults file)");
      return placeholder;
    }
    try {
      return parse.apply(setting.get().value());
    } catch (InvalidValue e) {
      problems.add(setting.get() + ": " + e.getMessage());
      return placeholder;
    }
  }

  @SuppressWarnings(
      "TypeParameterUnusedInFormals") // It always throws: the type lets it stand where a value is
  // expected.
  private static <T> T fail(String reason) {
    throw new InvalidValue(reason);
  }

  private static final class InvalidValue extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidValue(String reason) {
      super(reason, null, false, false);
    }
  }
}
