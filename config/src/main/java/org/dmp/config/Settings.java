package org.dmp.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The settings of one program, layered: documented defaults from classpath properties files, then
 * {@code DMP_...} environment variables, then command-line flags.
 *
 * <p>Only keys that a defaults file documents exist: an environment variable maps to a key by
 * upper-casing it and turning {@code .} and {@code -} into {@code _} (so {@code kafka.bootstrap} is
 * {@code DMP_KAFKA_BOOTSTRAP}), a flag is {@code --kafka.bootstrap=V} or {@code --kafka.bootstrap
 * V}, and a flag naming no known key is an error rather than a silent no-op.
 */
public final class Settings {
  public static final String ENV_PREFIX = "DMP_";

  private final String name;
  private final Map<String, Setting> byKey;
  private final List<String> problems;

  private Settings(String name, Map<String, Setting> byKey, List<String> problems) {
    this.name = name;
    this.byKey = Collections.unmodifiableMap(byKey);
    this.problems = List.copyOf(problems);
  }

  /**
   * @param name what is configured, for messages (e.g. "dcs-edge")
   * @param defaults classpath resources holding the documented defaults; later ones win
   * @param env the process environment
   * @param args command-line flags
   * @param aliases short flag names for keys, e.g. {@code bootstrap -> kafka.bootstrap}
   * @return the settings, with every unknown or incomplete flag kept in {@link #problems()} so that
   *     they are reported together with the invalid values
   */
  public static Settings load(
      String name,
      List<String> defaults,
      Map<String, String> env,
      List<String> args,
      Map<String, String> aliases) {
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(args, "args");
    Map<String, Setting> byKey = new LinkedHashMap<>();
    for (String resource : defaults) {
      readDefaults(resource)
          .forEach((key, value) -> byKey.put(key, new Setting(key, value, resource)));
    }
    for (String key : List.copyOf(byKey.keySet())) {
      String variable = envName(key);
      String value = env.get(variable);
      if (value != null) {
        byKey.put(key, new Setting(key, value, variable));
      }
    }
    List<String> problems = new ArrayList<>();
    applyFlags(args, aliases, byKey, problems);
    return new Settings(name, byKey, problems);
  }

  /** The environment variable that overrides a key. */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  public String name() {
    return name;
  }

  /** Flags that named no setting or lacked a value. */
  public List<String> problems() {
    return problems;
  }

  public Optional<Setting> get(String key) {
    return Optional.ofNullable(byKey.get(key));
  }

  public Set<String> keys() {
    return new TreeSet<>(byKey.keySet());
  }

  /** Every environment variable these settings listen to. */
  public Set<String> envNames() {
    Set<String> names = new TreeSet<>();
    byKey.keySet().forEach(key -> names.add(envName(key)));
    return names;
  }

  private static void applyFlags(
      List<String> args,
      Map<String, String> aliases,
      Map<String, Setting> byKey,
      List<String> problems) {
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--") || arg.length() == 2) {
        problems.add(
            "unexpected argument '" + arg + "': settings are given as --key=value or --key value");
        continue;
      }
      int equals = arg.indexOf('=');
      String flag = equals < 0 ? arg.substring(2) : arg.substring(2, equals);
      String key = aliases.getOrDefault(flag, flag);
      if (!byKey.containsKey(key)) {
        problems.add(
            "unknown option --" + flag + "; known: " + knownFlags(byKey.keySet(), aliases));
        continue;
      }
      String value;
      if (equals >= 0) {
        value = arg.substring(equals + 1);
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        problems.add("option --" + flag + " needs a value");
        continue;
      }
      byKey.put(key, new Setting(key, value, "--" + flag));
    }
  }

  private static String knownFlags(Set<String> keys, Map<String, String> aliases) {
    Set<String> flags = new TreeSet<>(keys);
    flags.addAll(aliases.keySet());
    return "--" + String.join(", --", flags);
  }

  private static Map<String, String> readDefaults(String resource) {
    Properties properties = new Properties();
    try (InputStream in = Settings.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "The defaults file " + resource + " is not on the classpath");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the defaults file " + resource, e);
    }
    Map<String, String> values = new LinkedHashMap<>();
    properties.stringPropertyNames().stream()
        .sorted()
        .forEach(key -> values.put(key, properties.getProperty(key).trim()));
    return values;
  }
}
