package org.dmp.inbound.format;

import java.util.List;
import java.util.Map;

/**
 * One good line of an inbound file: the user (normalized), the traits it realizes and removes by
 * id, and the key-value pairs the data source's rule-based traits evaluate.
 */
public record InboundLine(
    String userId, List<Long> realized, List<Long> removed, Map<String, List<String>> signals) {}
