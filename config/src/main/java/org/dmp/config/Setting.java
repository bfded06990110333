package org.dmp.config;

import java.util.Objects;

/** One configured value and where it came from, so an error can point at the place to fix. */
public record Setting(String key, String value, String origin) {
  public Setting {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(origin, "origin");
  }

  @Override
  public String toString() {
    return key + "='" + value + "' (from " + origin + ")";
  }
}
