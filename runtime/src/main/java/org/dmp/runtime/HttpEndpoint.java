package org.dmp.runtime;

import java.util.Objects;
import org.dmp.config.ConfigReader;

/** Where a service listens for HTTP: {@code <prefix>.host} and {@code <prefix>.port} (0 picks a free port). */
public record HttpEndpoint(String host, int port) {
  public HttpEndpoint {
    Objects.requireNonNull(host, "host");
  }

  public static HttpEndpoint read(ConfigReader reader, String prefix) {
    return new HttpEndpoint(reader.text(prefix + ".host"), reader.port(prefix + ".port", true));
  }
}
