package org.dmp.qualifier.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.dmp.avro.Profile;
import org.dmp.schemas.serde.AvroSerde;
import org.junit.jupiter.api.Test;

/**
 * The packed realizations against a plain model: a sorted map of trait to sorted times, changed by
 * the same steps, and each step's result stored in a profile and read back through its serde.
 */
class TraitTimesTest {
  private static final AvroSerde<Profile> PROFILES = AvroSerde.of(Profile.class);
  private static final int MOST_PER_TRAIT = 3;

  /** One change: add a time, remove a trait, drop times before a cut, or drop the oldest. */
  record Step(int kind, long trait, long time) {}

  @Property(tries = 300)
  void changesAndTheRoundTripThroughTheStoreMatchAPlainModel(@ForAll("steps") List<Step> steps) {
    TraitTimes traitTimes = TraitTimes.empty();
    TreeMap<Long, List<Long>> model = new TreeMap<>();
    for (Step step : steps) {
      switch (step.kind()) {
        case 0, 1, 2 -> {
          traitTimes.add(step.trait(), step.time(), MOST_PER_TRAIT);
          List<Long> times = model.computeIfAbsent(step.trait(), trait -> new ArrayList<>());
          times.add(step.time());
          times.sort(Comparator.naturalOrder());
          if (times.size() > MOST_PER_TRAIT) {
            times.remove(0);
          }
        }
        case 3 -> {
          assertThat(traitTimes.remove(step.trait())).isEqualTo(model.remove(step.trait()) != null);
        }
        case 4 -> {
          boolean modelDropped =
              model.values().stream().flatMap(List::stream).anyMatch(time -> time < step.time());
          model.values().forEach(times -> times.removeIf(time -> time < step.time()));
          model.values().removeIf(List::isEmpty);
          assertThat(traitTimes.retain((trait, time) -> time >= step.time()))
              .isEqualTo(modelDropped);
        }
        default -> {
          int count = (int) (step.time() % 4) + 1;
          int held = model.values().stream().mapToInt(List::size).sum();
          assertThat(traitTimes.dropOldest(count)).isEqualTo(Math.min(count, held));
          dropOldest(model, count);
        }
      }
      traitTimes = roundTrip(traitTimes);
      assertThat(traitTimes.asMap()).isEqualTo(asText(model));
      assertThat(traitTimes.timeCount())
          .isEqualTo(model.values().stream().mapToInt(List::size).sum());
      assertThat(traitTimes.traits())
          .containsExactly(model.keySet().stream().mapToLong(Long::longValue).toArray());
      TraitTimes held = traitTimes;
      model.forEach(
          (trait, times) -> {
            times.forEach(time -> assertThat(held.holds(trait, time)).isTrue());
            assertThat(held.holds(trait, -1)).isFalse();
          });
    }
  }

  @Test
  void aProfileWrittenBeforeThePackedFormIsReadFromItsMapAndWrittenPacked() {
    Profile old =
        Profile.newBuilder()
            .setVisitorId("v1")
            .setVersion(1)
            .setSegments(List.of())
            .setRealizations(Map.of("20", List.of(7L, 5L), "101", List.of(3L)))
            .build();

    TraitTimes traitTimes = TraitTimes.of(PROFILES.decode("profiles", PROFILES.encode(old)));
    assertThat(traitTimes.asMap())
        .containsExactly(entry("20", List.of(5L, 7L)), entry("101", List.of(3L)));

    traitTimes.writeTo(old);
    Profile rewritten = PROFILES.decode("profiles", PROFILES.encode(old));
    assertThat(rewritten.getRealizations()).isEmpty();
    assertThat(rewritten.getTraitTimes().remaining()).isEqualTo(traitTimes.packedLength());
    assertThat(TraitTimes.of(rewritten).asMap()).isEqualTo(traitTimes.asMap());
  }

  private static TraitTimes roundTrip(TraitTimes traitTimes) {
    Profile profile =
        Profile.newBuilder()
            .setVisitorId("v")
            .setVersion(0)
            .setSegments(List.of())
            .setTraitTimes(ByteBuffer.allocate(0))
            .build();
    traitTimes.writeTo(profile);
    return TraitTimes.of(PROFILES.decode("profiles", PROFILES.encode(profile)));
  }

  /** The {@code count} oldest times go; at a tie, the lower trait's first. */
  private static void dropOldest(TreeMap<Long, List<Long>> model, int count) {
    for (int dropped = 0; dropped < count && !model.isEmpty(); dropped++) {
      Map.Entry<Long, List<Long>> oldest =
          model.entrySet().stream()
              .min(
                  Comparator.<Map.Entry<Long, List<Long>>>comparingLong(e -> e.getValue().get(0))
                      .thenComparingLong(Map.Entry::getKey))
              .orElseThrow();
      oldest.getValue().remove(0);
      if (oldest.getValue().isEmpty()) {
        model.remove(oldest.getKey());
      }
    }
  }

  private static Map<String, List<Long>> asText(TreeMap<Long, List<Long>> model) {
    Map<String, List<Long>> text = new java.util.LinkedHashMap<>();
    model.forEach((trait, times) -> text.put(Long.toString(trait), List.copyOf(times)));
    return text;
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 5),
            Arbitraries.longs().between(1, 12),
            Arbitraries.longs().between(0, 20))
        .as(Step::new)
        .list()
        .ofMaxSize(60);
  }
}
