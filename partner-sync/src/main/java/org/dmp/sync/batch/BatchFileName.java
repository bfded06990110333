package org.dmp.sync.batch;

import java.time.Instant;
import java.util.Locale;
import org.dmp.avro.BatchMode;

/**
 * Audience Manager's outbound file name: {@code
 * <syncType>_<destinationId>_<dataSource>[_<pidAlias>]_<iter|full>_<13-digit window-end
 * ms>[NNN].sync[.gz]}, where NNN numbers the parts of a split file and is absent for a file in one
 * part.
 */
public record BatchFileName(
    String syncType,
    long destinationId,
    long dataSourceId,
    String pidAlias,
    BatchMode mode,
    Instant windowEnd,
    boolean gzip) {

  /**
   * @param part 0 for a file in one part, else 1 to 999
   */
  public String name(int part) {
    if (part < 0 || part > 999) {
      throw new IllegalArgumentException("a file has parts 1 to 999, not " + part);
    }
    StringBuilder name =
        new StringBuilder(syncType)
            .append('_')
            .append(destinationId)
            .append('_')
            .append(dataSourceId);
    if (pidAlias != null && !pidAlias.isEmpty()) {
      name.append('_').append(pidAlias);
    }
    name.append('_')
        .append(mode.name().toLowerCase(Locale.ROOT))
        .append('_')
        .append(String.format(Locale.ROOT, "%013d", windowEnd.toEpochMilli()));
    if (part > 0) {
      name.append(String.format(Locale.ROOT, "%03d", part));
    }
    return name.append(gzip ? ".sync.gz" : ".sync").toString();
  }

  /**
   * The batch's one control file: the name of the file in one part, its {@code .sync[.gz]} replaced
   * by {@code .info}, as Audience Manager names it.
   */
  public String infoName() {
    String whole = name(0);
    return whole.substring(0, whole.lastIndexOf(".sync")) + ".info";
  }
}
