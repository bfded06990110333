package org.dmp.edge.answer;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.dmp.avro.VisitEvent;
import org.dmp.qualifier.taxonomy.CompiledTaxonomy;

/**
 * Private traits from the live taxonomy: the traits whose rules read p_ keys are evaluated here,
 * the only place p_ values exist, and only their ids travel on. The JSON answer's qualification
 * is empty until the qualifier's query API answers for the hit.
 */
public final class TaxonomyHitAnswers implements HitAnswers {
  private final Supplier<CompiledTaxonomy> taxonomy;

  public TaxonomyHitAnswers(Supplier<CompiledTaxonomy> taxonomy) {
    this.taxonomy = taxonomy;
  }

  @Override
  public List<Long> privateTraits(Map<String, List<String>> privateSignals, VisitEvent event) {
    Map<String, List<String>> signals = new HashMap<>(event.getSignals());
    event.getHttpAttributes().forEach((key, value) -> signals.put(key, List.of(value)));
    return List.copyOf(taxonomy.get().realizePrivate(signals, privateSignals, event.getDataSourceId()));
  }

  @Override
  public Future<Qualification> qualify(VisitEvent event, RecordMetadata acknowledged) {
    return Future.succeededFuture(Qualification.NONE);
  }
}
