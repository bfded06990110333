package org.dmp.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * What a program's configuration consists of: its name, the classpath files documenting its
 * defaults (later ones win), and short flag names for its most used keys.
 */
public record SettingsSpec(String name, List<String> defaults, Map<String, String> aliases) {
  public SettingsSpec {
    Objects.requireNonNull(name, "name");
    defaults = List.copyOf(defaults);
    aliases = Map.copyOf(aliases);
  }

  /** The settings, with bad flags among their {@link Settings#problems()}. */
  public Settings load(Map<String, String> env, List<String> args) {
    return Settings.load(name, defaults, env, args, aliases);
  }

  /**
   * Loads the settings and builds the program's configuration record from them in one pass.
   *
   * @throws ConfigException naming every problem, from flags and values alike
   */
  public <C> C read(Map<String, String> env, List<String> args, Function<ConfigReader, C> build) {
    ConfigReader reader = new ConfigReader(load(env, args));
    C config = build.apply(reader);
    reader.validate();
    return config;
  }

  /** The environment variables this program listens to. */
  public Set<String> envNames() {
    return load(Map.of(), List.of()).envNames();
  }
}
