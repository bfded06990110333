package org.dmp.schemas.topics;

/** The part a topic plays in the pipeline; its configuration keys are {@code topic.<key>.*}. */
public enum TopicRole {
  VISITS("visits", false),
  VISITS_REJECTED("visits-rejected", false),
  SEGMENTS("segments", true),
  TAXONOMY("taxonomy", true),
  IDMAP("idmap", true),
  DELIVERIES("deliveries", false),
  DEADLETTER("deadletter", false),
  REPLAY_RUNS("replay-runs", true),
  INBOUND("inbound", false),
  INBOUND_FILES("inbound-files", true),
  POPULATIONS("populations", true);

  private final String key;
  private final boolean compacted;

  TopicRole(String key, boolean compacted) {
    this.key = key;
    this.compacted = compacted;
  }

  public String key() {
    return key;
  }

  /** Compacted topics keep the latest record per key: they are tables, not logs. */
  public boolean compacted() {
    return compacted;
  }
}
