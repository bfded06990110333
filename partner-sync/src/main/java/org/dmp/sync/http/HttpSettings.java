package org.dmp.sync.http;

import java.time.Duration;

/**
 * How http deliveries are grouped and timed.
 *
 * @param maxUsers a batch closes once it holds this many visitors
 * @param maxWait how long a batch may gather once nothing is in flight
 * @param timeout how long the partner has to answer one POST
 */
public record HttpSettings(int maxUsers, Duration maxWait, Duration timeout) {}
