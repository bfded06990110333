package org.dmp.taxonomy;

import java.util.List;

/**
 * One revision of the taxonomy, compiled: its traits indexed for evaluation, its segments indexed
 * by the traits they count, its destinations by segment, and its data sources. Immutable, so one
 * instance serves every thread until the next revision replaces it.
 */
public final class CompiledTaxonomy {
  public static final CompiledTaxonomy EMPTY =
      new CompiledTaxonomy(new Taxonomy(List.of(), List.of(), List.of(), List.of()));

  private final Taxonomy source;
  private final long revision;
  private final TraitIndex traits;
  private final SegmentIndex segments;
  private final DestinationDirectory destinations;
  private final DataSources dataSources;

  public CompiledTaxonomy(Taxonomy taxonomy) {
    this(taxonomy, 0);
  }

  /**
   * @param revision the revision it was published as; profiles remember it to know when to
   *     re-evaluate every segment
   */
  public CompiledTaxonomy(Taxonomy taxonomy, long revision) {
    this.source = taxonomy;
    this.revision = revision;
    this.traits = new TraitIndex(taxonomy.traits());
    this.segments = new SegmentIndex(taxonomy.segments());
    this.destinations = new DestinationDirectory(taxonomy.destinations());
    this.dataSources = new DataSources(taxonomy.dataSources());
  }

  public long revision() {
    return revision;
  }

  /** The taxonomy as declared. */
  public Taxonomy source() {
    return source;
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

  public DataSources dataSources() {
    return dataSources;
  }
}
