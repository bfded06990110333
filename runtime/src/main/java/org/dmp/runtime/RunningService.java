package org.dmp.runtime;

/** A started service: its name and the port its HTTP side actually listens on. */
public record RunningService(String name, int httpPort) {}
