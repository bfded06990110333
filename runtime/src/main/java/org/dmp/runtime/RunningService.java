package org.dmp.runtime;

import java.time.Duration;

/**
 * A started service: its name, the port its HTTP side actually listens on, and how long it
 * advertises that it is draining before it stops taking calls.
 */
public record RunningService(String name, int httpPort, Duration drainDelay) {}
