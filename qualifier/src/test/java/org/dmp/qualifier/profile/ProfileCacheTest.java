package org.dmp.qualifier.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.dmp.avro.Profile;
import org.dmp.schemas.serde.AvroSerde;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The replay's profile cache over a real (in-memory) Kafka Streams store: what it holds is read
 * back, reaches the store beneath only when flushed or past its bound, and is lost with an aborted
 * transaction. That Kafka Streams flushes it before each commit is shown by ReplayIT's kill test: a
 * run resumed from its changelog gives the same differences.
 */
class ProfileCacheTest {
  private KeyValueStore<String, Profile> beneath;
  private KeyValueStore<String, Profile> cache;
  private boolean unneeded;

  @BeforeEach
  void open() {
    cache =
        ProfileCache.over(
                Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(QualifierTopology.PROFILES),
                        Serdes.String(),
                        AvroSerde.of(Profile.class))
                    .withLoggingDisabled(),
                64 * 1024,
                () -> unneeded)
            .build();
    cache.init(new MockProcessorContext<>().getStateStoreContext(), cache);
    beneath = ((ProfileCache) cache).beneath();
  }

  @Test
  void aProfileHeldIsReadBackAndReachesTheStoreBeneathWhenFlushed() {
    cache.put("v1", profile("v1", 1));

    assertThat(cache.get("v1").getVersion()).isEqualTo(1);
    assertThat(beneath.get("v1")).as("not written before a flush").isNull();

    ((ProfileCache) cache).flushCache();
    assertThat(beneath.get("v1").getVersion()).isEqualTo(1);
    assertThat(cache.get("v1").getVersion()).isEqualTo(1);
  }

  @Test
  void realizationsHeldUnpackedAreHandedBackAsHeldAndPackedForEveryOtherReader() {
    ProfileCache held = (ProfileCache) cache;
    Profile profile = profile("v1", 1);
    TraitTimes traitTimes = TraitTimes.of(profile);
    held.put("v1", profile, traitTimes);
    traitTimes.add(99, 5000, 3);

    assertThat(held.unpacked("v1").traitTimes())
        .as("the processor's, as held")
        .isSameAs(traitTimes);
    assertThat(TraitTimes.of(cache.get("v1")).times(99)).as("a query's").containsExactly(5000L);
    traitTimes.add(98, 6000, 3);
    held.flushCache();
    assertThat(TraitTimes.of(beneath.get("v1")).times(98)).as("as written").containsExactly(6000L);
    assertThat(held.unpacked("v1").traitTimes()).as("still held").isSameAs(traitTimes);
    try (var all = cache.all()) {
      assertThat(TraitTimes.of(all.next().value).holds(98, 6000)).isTrue();
    }
  }

  @Test
  void aCommitWritesWhatChangedOnlyAndKeepsHoldingIt() {
    cache.put("v1", profile("v1", 1));
    cache.put("v2", profile("v2", 1));
    ((ProfileCache) cache).flushCache();
    beneath.put("v1", profile("v1", 9));
    cache.put("v2", profile("v2", 2));

    ((ProfileCache) cache).flushCache();

    assertThat(beneath.get("v1").getVersion())
        .as("unchanged since written: not again")
        .isEqualTo(9);
    assertThat(beneath.get("v2").getVersion()).isEqualTo(2);
    assertThat(cache.get("v1").getVersion()).as("still held").isEqualTo(1);
  }

  @Test
  void onceUnneededWhatIsHeldIsDroppedNotWritten() {
    cache.put("v1", profile("v1", 1));
    ((ProfileCache) cache).flushCache();
    cache.put("v1", profile("v1", 2));
    cache.put("v2", profile("v2", 2));

    unneeded = true;
    cache.flush();

    assertThat(beneath.get("v1").getVersion()).as("as last written").isEqualTo(1);
    assertThat(beneath.get("v2")).isNull();
  }

  @Test
  void everyProfileIsListedOnceInKeyOrderThoseHeldOverThoseWritten() {
    cache.put("b", profile("b", 1));
    cache.put("d", profile("d", 1));
    ((ProfileCache) cache).flushCache();
    cache.put("a", profile("a", 2));
    cache.put("d", profile("d", 2));
    cache.put("e", profile("e", 2));

    List<String> listed = new ArrayList<>();
    try (var all = cache.all()) {
      all.forEachRemaining(entry -> listed.add(entry.key + "@" + entry.value.getVersion()));
    }
    assertThat(listed).containsExactly("a@2", "b@1", "d@2", "e@2");
  }

  @Test
  void pastItsBoundEverythingHeldIsWritten() {
    List<KeyValue<String, Profile>> many = new ArrayList<>();
    for (int visitor = 0; visitor < 200; visitor++) {
      many.add(KeyValue.pair("v" + visitor, profile("v" + visitor, 1)));
    }
    cache.putAll(many);

    assertThat(beneath.approximateNumEntries())
        .as("written once the profiles held passed 64 KB")
        .isPositive();
    for (int visitor = 0; visitor < 200; visitor++) {
      assertThat(cache.get("v" + visitor)).isNotNull();
    }
  }

  @Test
  void whatWasNotWrittenIsLostWithAnAbortedTransaction() {
    cache.put("v1", profile("v1", 1));
    ((ProfileCache) cache).flushCache();
    cache.put("v1", profile("v1", 2));
    cache.put("v2", profile("v2", 1));

    ((ProfileCache) cache).clearCache();

    assertThat(cache.get("v1").getVersion()).isEqualTo(1);
    assertThat(cache.get("v2")).isNull();
  }

  @Test
  void aDeletedProfileIsGoneHeldOrWritten() {
    cache.put("v1", profile("v1", 1));
    ((ProfileCache) cache).flushCache();
    cache.put("v1", profile("v1", 2));

    assertThat(cache.delete("v1").getVersion()).isEqualTo(2);
    assertThat(cache.get("v1")).isNull();
    assertThat(beneath.get("v1")).isNull();
  }

  private static Profile profile(String visitor, long version) {
    Profile profile =
        Profile.newBuilder()
            .setVisitorId(visitor)
            .setVersion(version)
            .setSegments(List.of())
            .build();
    TraitTimes traitTimes = TraitTimes.empty();
    for (long trait = 1; trait <= 20; trait++) {
      traitTimes.add(trait, 1000 * trait, 3);
    }
    traitTimes.writeTo(profile);
    return profile;
  }
}
