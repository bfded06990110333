package org.dmp.cli.privacy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.dmp.avro.EventSource;
import org.dmp.avro.PartnerId;
import org.dmp.avro.VisitEvent;
import org.dmp.schemas.IdMapKey;
import org.dmp.schemas.PartnerUserId;
import org.dmp.schemas.VisitorId;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * Whom a privacy request is about: a visitor id, or a declared id (a data source's partner user
 * id), which stands for every visitor it was synced with.
 */
final class DataSubject {
  @Option(names = "--uuid", paramLabel = "ID", description = "A visitor id.")
  private String visitorId;

  @ArgGroup(exclusive = false)
  private Declared declared;

  static final class Declared {
    @Option(
        names = "--dpid",
        required = true,
        paramLabel = "ID",
        description = "With --dpuuid: a declared id's data source.")
    private long dataSourceId;

    @Option(
        names = "--dpuuid",
        required = true,
        paramLabel = "ID",
        description = "With --dpid: the declared id (the data source's user id).")
    private String partnerUserId;
  }

  /** What is wrong with the options given, naming the option; empty when nothing is. */
  Optional<String> problem() {
    if (declared == null) {
      return VisitorId.problem("--uuid", visitorId);
    }
    if (declared.dataSourceId <= 0) {
      return Optional.of("--dpid must be a data source id, a positive number");
    }
    if (!PartnerUserId.isValid(declared.partnerUserId)) {
      return Optional.of("--dpuuid must be " + PartnerUserId.RULE);
    }
    return Optional.empty();
  }

  /** The visits topic's key of the request's event: the visitor's own, or NOTARGET. */
  String key() {
    return declared == null ? visitorId : VisitorId.OPTED_OUT;
  }

  /**
   * The opt-out event the request is made of. One by declared id names no visitor: the qualifier
   * finds the id's visitors through the id map.
   */
  VisitEvent optOut(Instant now) {
    VisitEvent.Builder event =
        VisitEvent.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setVisitorId(key())
            .setTime(now)
            .setSource(EventSource.OPT_OUT);
    if (declared != null) {
      event.setPartnerIds(List.of(new PartnerId(declared.dataSourceId, declared.partnerUserId)));
    }
    return event.build();
  }

  /**
   * The byte strings that mark a record as about this subject: the visitor id as written, or the
   * declared id as the id map keys it and as Avro writes a partner id in a record.
   */
  List<byte[]> needles() {
    if (declared == null) {
      return List.of(visitorId.getBytes(StandardCharsets.UTF_8));
    }
    ByteArrayOutputStream avro = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(avro, null);
    try {
      encoder.writeLong(declared.dataSourceId);
      encoder.writeString(declared.partnerUserId);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.of(
        IdMapKey.of(declared.dataSourceId, declared.partnerUserId).getBytes(StandardCharsets.UTF_8),
        avro.toByteArray());
  }

  @Override
  public String toString() {
    return declared == null
        ? "visitor " + visitorId
        : "declared id " + IdMapKey.of(declared.dataSourceId, declared.partnerUserId);
  }
}
