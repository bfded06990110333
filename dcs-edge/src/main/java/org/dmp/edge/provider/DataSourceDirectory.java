package org.dmp.edge.provider;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.dmp.avro.DataSource;
import org.dmp.avro.TaxonomyEntry;
import org.dmp.runtime.kafka.TopicFollower;
import org.dmp.schemas.serde.AvroSerde;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real-time provider endpoints that data sources declare in the taxonomy, kept current by
 * following the taxonomy topic: a change applies to the next hit, with no restart.
 */
public final class DataSourceDirectory implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DataSourceDirectory.class);
  private static final String KEY_PREFIX = "dataSource/";
  private static final AvroSerde<TaxonomyEntry> ENTRIES = AvroSerde.of(TaxonomyEntry.class);

  private final Map<Long, URI> endpoints = new ConcurrentHashMap<>();
  private TopicFollower follower;

  private DataSourceDirectory() {}

  public static DataSourceDirectory follow(String bootstrap, String taxonomyTopic) {
    DataSourceDirectory directory = new DataSourceDirectory();
    directory.follower = TopicFollower.start("dcs-edge-taxonomy", bootstrap, taxonomyTopic, directory::apply);
    return directory;
  }

  /** Completes once the taxonomy as it stood at start has been read. */
  public CompletableFuture<Void> caughtUp() {
    return follower.caughtUp();
  }

  public Optional<URI> endpoint(long dataSourceId) {
    return Optional.ofNullable(endpoints.get(dataSourceId));
  }

  private void apply(ConsumerRecord<String, byte[]> record) {
    if (record.key() == null || !record.key().startsWith(KEY_PREFIX)) {
      return;
    }
    long id = Long.parseLong(record.key().substring(KEY_PREFIX.length()));
    TaxonomyEntry entry = ENTRIES.decode(record.topic(), record.value());
    if (entry == null || !(entry.getItem() instanceof DataSource dataSource) || dataSource.getProvider() == null) {
      endpoints.remove(id);
      return;
    }
    URI url = URI.create(dataSource.getProvider().getUrl());
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!url.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))) {
      LOG.warn("Data source {} declares provider {}, which is no http(s) URL: not called", id, url);
      endpoints.remove(id);
      return;
    }
    endpoints.put(id, url);
  }

  @Override
  public void close() {
    follower.close();
  }
}
