package org.dmp.taxonomy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.dmp.avro.Trait;
import org.dmp.avro.TraitType;
import org.junit.jupiter.api.Test;

/** TTLs looked up by trait id: what each realization of a profile is judged against. */
class TraitTtlTest {
  @Test
  void eachTraitHasItsOwnTtlAndTraitsWithoutOneOrUnknownCountForever() {
    List<Trait> traits = new ArrayList<>();
    // Ids spread far apart and close together, so that some share a slot and probe on.
    for (int i = 1; i <= 3000; i++) {
      long id = i % 2 == 0 ? i : 1_000_000_000L * i + 7;
      traits.add(new Trait(id, "trait " + id, null, 1L, TraitType.RULE, "c_k == \"v\"", i % 5));
    }
    TraitIndex index = new TraitIndex(traits);

    for (Trait trait : traits) {
      assertThat(index.ttlMillis(trait.getId()))
          .as("trait %d", trait.getId())
          .isEqualTo(
              trait.getTtlDays() == 0
                  ? Long.MAX_VALUE
                  : Duration.ofDays(trait.getTtlDays()).toMillis());
    }
    assertThat(index.ttlMillis(3001)).as("unknown").isEqualTo(Long.MAX_VALUE);
    assertThat(index.ttlMillis(Long.MIN_VALUE)).as("unknown").isEqualTo(Long.MAX_VALUE);
  }
}
