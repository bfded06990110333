package org.dmp.taxonomy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dmp.avro.DataSource;
import org.dmp.avro.Destination;
import org.dmp.avro.Segment;
import org.dmp.avro.TaxonomyEntry;
import org.dmp.avro.Trait;

/**
 * A valid taxonomy: data sources, traits, segments and destinations, as the records published on
 * the taxonomy topic. Only {@link TaxonomyFile} makes one, after checking every reference and rule.
 */
public record Taxonomy(
    List<DataSource> dataSources,
    List<Trait> traits,
    List<Segment> segments,
    List<Destination> destinations) {
  public Taxonomy {
    dataSources = List.copyOf(dataSources);
    traits = List.copyOf(traits);
    segments = List.copyOf(segments);
    destinations = List.copyOf(destinations);
  }

  /** Every item keyed as on the taxonomy topic: {@code dataSource/1}, {@code trait/101}, ... */
  public Map<String, TaxonomyEntry> entries() {
    Map<String, TaxonomyEntry> entries = new LinkedHashMap<>();
    dataSources.forEach(
        item -> entries.put(key("dataSource", item.getId()), new TaxonomyEntry(item)));
    traits.forEach(item -> entries.put(key("trait", item.getId()), new TaxonomyEntry(item)));
    segments.forEach(item -> entries.put(key("segment", item.getId()), new TaxonomyEntry(item)));
    destinations.forEach(
        item -> entries.put(key("destination", item.getId()), new TaxonomyEntry(item)));
    return entries;
  }

  public static String key(String kind, long id) {
    return kind + "/" + id;
  }
}
