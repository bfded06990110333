package org.dmp.taxonomy;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dmp.avro.DataSource;

/**
 * One revision of the taxonomy, compiled: its traits indexed for evaluation, its segments indexed
 * by the traits they count, its destinations by segment, and the real-time providers its data
 * sources declare. Immutable, so one instance serves every thread until the next revision replaces
 * it.
 */
public final class CompiledTaxonomy {
  public static final CompiledTaxonomy EMPTY =
      new CompiledTaxonomy(new Taxonomy(List.of(), List.of(), List.of(), List.of()));

  private final long revision;
  private final TraitIndex traits;
  private final SegmentIndex segments;
  private final DestinationDirectory destinations;
  private final Map<Long, URI> providers = new HashMap<>();

  public CompiledTaxonomy(Taxonomy taxonomy) {
    this(taxonomy, 0);
  }

  /**
   * @param revision the revision it was published as; profiles remember it to know when to
   *     re-evaluate every segment
   */
  public CompiledTaxonomy(Taxonomy taxonomy, long revision) {
    this.revision = revision;
    this.traits = new TraitIndex(taxonomy.traits());
    this.segments = new SegmentIndex(taxonomy.segments());
    this.destinations = new DestinationDirectory(taxonomy.destinations());
    for (DataSource dataSource : taxonomy.dataSources()) {
      if (dataSource.getProvider() != null) {
        providers.put(dataSource.getId(), URI.create(dataSource.getProvider().getUrl()));
      }
    }
  }

  public long revision() {
    return revision;
  }

  public TraitIndex traits() {
    return traits;
  }

  public SegmentIndex segments() {
    return segments;
  }

  public DestinationDirectory destinations() {
    return destinations;
  }

  /** The real-time provider endpoint a data source declares, if any. */
  public Optional<URI> provider(long dataSourceId) {
    return Optional.ofNullable(providers.get(dataSourceId));
  }
}
