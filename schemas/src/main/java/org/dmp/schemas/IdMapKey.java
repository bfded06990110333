package org.dmp.schemas;

/**
 * The key of a partner id on the compacted id map topic: {@code <data source id>/<partner user
 * id>}.
 */
public final class IdMapKey {
  private IdMapKey() {}

  public static String of(long dataSourceId, String partnerUserId) {
    return dataSourceId + "/" + partnerUserId;
  }
}
