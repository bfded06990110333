package org.dmp.runtime;

import java.time.Duration;
import java.util.Objects;
import org.dmp.config.ConfigReader;

/**
 * Where a service listens for HTTP ({@code <prefix>.host}, {@code <prefix>.port}; 0 picks a free
 * port) and how it drains on shutdown ({@link Draining}).
 *
 * @param drainDelay how long readiness answers 503 before the server stops taking calls
 * @param drainTimeout how long calls in flight then have to finish
 */
public record HttpEndpoint(String host, int port, Duration drainDelay, Duration drainTimeout) {
  private static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

  public HttpEndpoint {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(drainDelay, "drainDelay");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
  }

  /**
   * An endpoint that stops taking calls as soon as it is asked to, and lets those in flight finish.
   */
  public HttpEndpoint(String host, int port) {
    this(host, port, Duration.ZERO, DEFAULT_DRAIN_TIMEOUT);
  }

  public static HttpEndpoint read(ConfigReader reader, String prefix) {
    return new HttpEndpoint(
        reader.text(prefix + ".host"),
        reader.port(prefix + ".port", true),
        reader.duration(prefix + ".drain-delay", Duration.ZERO, Duration.ofMinutes(5)),
        reader.duration(prefix + ".drain-timeout", Duration.ZERO, Duration.ofMinutes(5)));
  }
}
