package org.dmp.taxonomy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.dmp.avro.DataSource;
import org.dmp.avro.Destination;
import org.dmp.avro.Segment;
import org.dmp.avro.TaxonomyEntry;
import org.dmp.avro.TaxonomyRevision;
import org.dmp.avro.Trait;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.runtime.kafka.TopicFollower;
import org.dmp.schemas.topics.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current taxonomy, compiled, kept up to date by following the taxonomy topic: items are
 * gathered as they arrive and the compiled taxonomy is swapped at each revision marker, so a reader
 * never sees half a revision. Running services pick up an apply with no restart.
 */
public final class TaxonomyView implements Supplier<CompiledTaxonomy>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TaxonomyView.class);

  private final Map<String, TaxonomyEntry> items = new ConcurrentHashMap<>();
  private final AtomicReference<CompiledTaxonomy> current =
      new AtomicReference<>(CompiledTaxonomy.EMPTY);
  private final AtomicReference<Long> revision = new AtomicReference<>(0L);
  private final List<Runnable> revisionListeners = new CopyOnWriteArrayList<>();
  private final Topic<String, TaxonomyEntry> topic;
  private TopicFollower follower;

  private TaxonomyView(Topic<String, TaxonomyEntry> topic) {
    this.topic = topic;
  }

  public static TaxonomyView follow(
      String name, KafkaClients kafka, Topic<String, TaxonomyEntry> topic) {
    TaxonomyView view = new TaxonomyView(topic);
    view.follower = TopicFollower.start(name, kafka, topic.name(), view::apply);
    return view;
  }

  /** Completes once the taxonomy as it stood at start is compiled. */
  public CompletableFuture<Void> caughtUp() {
    return follower.caughtUp();
  }

  @Override
  public CompiledTaxonomy get() {
    return current.get();
  }

  /**
   * Runs {@code listener} after each revision comes into force, on the follower's thread: hand the
   * work to your own context. A revision that does not compile does not count.
   */
  public void onRevision(Runnable listener) {
    revisionListeners.add(listener);
  }

  /** The revision now in force; 0 before any. */
  public long revision() {
    return revision.get();
  }

  private void apply(ConsumerRecord<String, byte[]> record) {
    if (record.key() == null) {
      return;
    }
    TaxonomyEntry entry = topic.values().decode(record.topic(), record.value());
    if (entry == null) {
      items.remove(record.key());
    } else if (entry.getItem() instanceof TaxonomyRevision marker) {
      switchTo(marker);
    } else {
      items.put(record.key(), entry);
    }
  }

  private void switchTo(TaxonomyRevision marker) {
    List<DataSource> dataSources = new ArrayList<>();
    List<Trait> traits = new ArrayList<>();
    List<Segment> segments = new ArrayList<>();
    List<Destination> destinations = new ArrayList<>();
    items
        .values()
        .forEach(
            entry -> {
              Object item = entry.getItem();
              if (item instanceof DataSource dataSource) {
                dataSources.add(dataSource);
              } else if (item instanceof Trait trait) {
                traits.add(trait);
              } else if (item instanceof Segment segment) {
                segments.add(segment);
              } else if (item instanceof Destination destination) {
                destinations.add(destination);
              }
            });
    String source = "taxonomy revision " + marker.getRevision() + " from " + marker.getSource();
    try {
      // Anyone who may write to the topic could have written these records: they are checked by
      // the rules of the file, as if they had come in one.
      Taxonomy checked =
          TaxonomyFile.parse(
              source,
              TaxonomyJson.write(new Taxonomy(dataSources, traits, segments, destinations))
                  .encode());
      current.set(new CompiledTaxonomy(checked, marker.getRevision()));
      revision.set(marker.getRevision());
      LOG.info(
          "Taxonomy revision {} from {} in force: {} traits, {} segments, {} destinations",
          marker.getRevision(),
          marker.getSource(),
          traits.size(),
          segments.size(),
          destinations.size());
      revisionListeners.forEach(Runnable::run);
    } catch (TaxonomyException e) {
      LOG.error("Refused: {}; revision {} stays in force", e.getMessage(), revision.get());
    } catch (RuntimeException e) {
      LOG.error(
          "Refused {}: it does not compile; revision {} stays in force", source, revision.get(), e);
    }
  }

  /** Stops following, without waiting: for an event loop. */
  public CompletableFuture<Void> stop() {
    return follower.stop();
  }

  @Override
  public void close() {
    follower.close();
  }
}
