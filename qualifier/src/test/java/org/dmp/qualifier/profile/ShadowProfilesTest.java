package org.dmp.qualifier.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.WrappedStateStore;
import org.dmp.avro.EventSource;
import org.dmp.avro.Profile;
import org.dmp.avro.VisitEvent;
import org.dmp.schemas.serde.AvroSerde;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.TaxonomyFile;
import org.junit.jupiter.api.Test;

/**
 * A replay's profile processor holds the profiles it writes between commits with their realizations
 * unpacked, in the cache it finds beneath the wrappers Kafka Streams hands processors their stores
 * in, and the cache packs them for anyone else who reads them.
 */
class ShadowProfilesTest {
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

  @Test
  void theShadowsProcessorHoldsRealizationsUnpackedBetweenCommits() {
    MockProcessorContext<String, Object> context = new MockProcessorContext<>();
    ProfileCache cache =
        (ProfileCache)
            ProfileCache.over(
                    inMemory(QualifierTopology.PROFILES, AvroSerde.of(Profile.class)),
                    1 << 20,
                    () -> false)
                .build();
    List.of(
            cache,
            inMemory(QualifierTopology.CHANGE_INDEX, Serdes.String()).build(),
            inMemory(QualifierTopology.PARTITION_TIME, Serdes.Long()).build())
        .forEach(
            store -> {
              store.init(context.getStateStoreContext(), store);
              context.addStateStore(store);
            });
    CompiledTaxonomy sample = new CompiledTaxonomy(TaxonomyFile.sample());
    ProfileProcessor processor =
        new ProfileProcessor(
            () -> sample,
            new ProfileEvolution(ProfileBounds.defaults(100)),
            new ProcessedOffsets(0, hit -> {}),
            TimeProgress.unwatched(Duration.ZERO),
            Optional.empty(),
            true);
    processor.init(context);
    for (int hit = 0; hit < 2; hit++) {
      Instant at = T0.plusSeconds(hit);
      context.setRecordMetadata("dmp.visits", 0, hit);
      processor.process(
          new Record<>(
              "v1",
              VisitEvent.newBuilder()
                  .setEventId("e" + hit)
                  .setVisitorId("v1")
                  .setTime(at)
                  .setSource(EventSource.EDGE)
                  .setSignals(Map.of("c_category", List.of("shoes")))
                  .build(),
              at.toEpochMilli()));
    }

    TraitTimes held = cache.unpacked("v1").traitTimes();
    assertThat(held).as("held unpacked by the processor").isNotNull();
    long[] times = {T0.toEpochMilli(), T0.plusSeconds(1).toEpochMilli()};
    assertThat(held.times(101)).containsExactly(times);
    assertThat(TraitTimes.of(cache.get("v1")).times(101))
        .as("packed for a reader")
        .containsExactly(times);
  }

  @Test
  void theCacheIsFoundBeneathKafkaStreamsWrappersAndNoOtherStoreIsTakenForIt() {
    KeyValueStore<String, Profile> plain =
        inMemory(QualifierTopology.PROFILES, AvroSerde.of(Profile.class)).build();
    KeyValueStore<String, Profile> cache =
        ProfileCache.over(
                inMemory(QualifierTopology.PROFILES, AvroSerde.of(Profile.class)),
                1024,
                () -> false)
            .build();

    assertThat(ProfileCache.within(new WrappedStateStore<>(cache) {})).isSameAs(cache);
    assertThat(ProfileCache.within(new WrappedStateStore<>(plain) {})).isNull();
    assertThat(ProfileCache.within(plain)).isNull();
  }

  private static <V> StoreBuilder<KeyValueStore<String, V>> inMemory(String name, Serde<V> values) {
    return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), values)
        .withLoggingDisabled();
  }
}
