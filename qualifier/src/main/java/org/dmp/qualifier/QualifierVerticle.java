package org.dmp.qualifier;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.HostInfo;
import org.dmp.qualifier.profile.PendingLines;
import org.dmp.qualifier.profile.ProcessedOffsets;
import org.dmp.qualifier.profile.ProfileBounds;
import org.dmp.qualifier.profile.QualifierTopology;
import org.dmp.qualifier.profile.SetAside;
import org.dmp.qualifier.profile.TimeProgress;
import org.dmp.qualifier.query.SegmentQuery;
import org.dmp.qualifier.time.Ticker;
import org.dmp.runtime.StageLatency;
import org.dmp.runtime.kafka.Rejections;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.TaxonomyView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the Kafka Streams topology (exactly_once_v2) once the taxonomy as it stands has been read,
 * and the ticker if this instance writes ticks; undeploying it stops the ticks, closes the streams,
 * committing what was processed, and stops following the taxonomy.
 */
final class QualifierVerticle extends VerticleBase implements SegmentQuery.Instance {
  private static final Logger LOG = LoggerFactory.getLogger(QualifierVerticle.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final QualifierConfig config;
  private final int queryPort;
  private final ProcessedOffsets processed;
  private final TimeProgress time;
  private final PendingLines pending;
  private final Rejections rejections;
  private TaxonomyView taxonomy;
  private volatile KafkaStreams streams;
  private Ticker ticker;

  /**
   * @param queryPort the port of this instance's query API, which the other instances forward
   *     questions to
   */
  QualifierVerticle(
      QualifierConfig config, int queryPort, MeterRegistry registry, TimeProgress time) {
    this.config = config;
    this.queryPort = queryPort;
    this.time = time;
    StageLatency processedStage =
        new StageLatency(registry, StageLatency.QUALIFIER_PROCESSED, Tags.empty());
    this.processed = new ProcessedOffsets(config.queryMaxWaiting(), processedStage::reached);
    this.pending = new PendingLines(config.inboundWaitTtl(), config.inboundWaitMaxPerId());
    this.rejections =
        new Rejections(
            config.common().kafka(),
            config.common().topics().name(TopicRole.VISITS_REJECTED),
            config.applicationId());
    countByOutcome(
        registry,
        "dmp_qualifier_inbound_lines",
        "Inbound file lines by partner id: resolved at once, set aside to wait for an ID sync,"
            + " released by one, expired or dropped while waiting, or not applied because their"
            + " partner id opted out",
        pending.counts(),
        Map.of(
            "resolved", PendingLines.Counts::resolved,
            "waiting", PendingLines.Counts::waiting,
            "released", PendingLines.Counts::released,
            "expired", PendingLines.Counts::expired,
            "dropped", PendingLines.Counts::dropped,
            "opted_out", PendingLines.Counts::optedOut));
    countByOutcome(
        registry,
        "dmp_qualifier_profile_bounds",
        "What profiles were kept from holding: partner ids of data sources the taxonomy does not"
            + " have, or that break the rule of partner ids, and partner ids and realization times"
            + " past a bound (the oldest go)",
        config.profileBounds().counts(),
        Map.of(
            "unknown_data_source", ProfileBounds.Counts::unknownDataSources,
            "invalid_partner_id", ProfileBounds.Counts::invalidPartnerIds,
            "partner_id_trimmed", ProfileBounds.Counts::partnerIds,
            "realization_trimmed", ProfileBounds.Counts::realizations));
  }

  private static <T> void countByOutcome(
      MeterRegistry registry,
      String name,
      String description,
      T counts,
      Map<String, ToDoubleFunction<T>> outcomes) {
    outcomes.forEach(
        (outcome, count) ->
            FunctionCounter.builder(name, counts, count)
                .description(description)
                .tag("outcome", outcome)
                .register(registry));
  }

  @Override
  public Future<?> start() {
    taxonomy =
        TaxonomyView.follow(
            "qualifier-taxonomy", config.common().kafka(), config.common().topics().taxonomy());
    return Future.fromCompletionStage(taxonomy.caughtUp(), context)
        .compose(
            read ->
                vertx.executeBlocking(
                    () -> {
                      Topology topology =
                          QualifierTopology.build(
                              config.common().topics(),
                              taxonomy,
                              config.profileBounds(),
                              processed,
                              time,
                              pending,
                              QualifierTopology.Storage.ON_DISK,
                              config.populationsEvery());
                      streams =
                          new KafkaStreams(
                              topology,
                              SetAside.install(config.streamsProperties(queryPort), rejections));
                      streams.setUncaughtExceptionHandler(
                          failure -> {
                            LOG.error("A stream thread failed; replacing it", failure);
                            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler
                                .StreamThreadExceptionResponse.REPLACE_THREAD;
                          });
                      streams.start();
                      if (config.ticks()) {
                        ticker =
                            Ticker.start(
                                config.common().kafka(),
                                config.common().topics().visits(),
                                config.tickInterval(),
                                Clock.systemUTC());
                      }
                      LOG.info(
                          "Qualifier {} reading {} with taxonomy revision {}, writing {} and {}",
                          config.applicationId(),
                          config.common().topics().name(TopicRole.VISITS),
                          taxonomy.revision(),
                          config.common().topics().name(TopicRole.SEGMENTS),
                          config.common().topics().name(TopicRole.IDMAP));
                      return null;
                    }));
  }

  @Override
  public KafkaStreams streams() {
    return streams;
  }

  @Override
  public ProcessedOffsets processed() {
    return processed;
  }

  @Override
  public CompiledTaxonomy taxonomy() {
    return taxonomy == null ? CompiledTaxonomy.EMPTY : taxonomy.get();
  }

  @Override
  public HostInfo self() {
    return new HostInfo(config.advertisedHost(), queryPort);
  }

  /**
   * Empty while the streams process or rebalance; else their state (created, failed, stopping...).
   */
  Optional<String> notRunning() {
    KafkaStreams.State state = streams == null ? null : streams.state();
    return state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING
        ? Optional.empty()
        : Optional.of(
            "the streams are "
                + (state == null
                    ? "not started"
                    : state.name().toLowerCase(java.util.Locale.ROOT)));
  }

  @Override
  public Future<?> stop() {
    return vertx.executeBlocking(
        () -> {
          if (ticker != null) {
            ticker.close();
          }
          if (streams != null) {
            streams.close(CLOSE_TIMEOUT);
          }
          if (taxonomy != null) {
            taxonomy.close();
          }
          rejections.close();
          return null;
        });
  }
}
