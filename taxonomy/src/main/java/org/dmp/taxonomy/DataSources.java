package org.dmp.taxonomy;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.dmp.avro.DataSource;

/**
 * The taxonomy's data sources as the edge looks them up: by id, by the integration code that
 * declared ids name them with, their real-time providers and the ID syncs they ask for.
 */
public final class DataSources {
  /**
   * The integration code of the data source that keeps Experience Cloud ids issued elsewhere: a
   * {@code d_mid} that is not the visitor's own id becomes a partner id of it.
   */
  public static final String EXPERIENCE_CLOUD_ID_CODE = "ECID";

  private final Set<Long> ids = new HashSet<>();
  private final Map<String, Long> byIntegrationCode = new HashMap<>();
  private final Map<Long, URI> providers = new HashMap<>();
  private final Map<Long, Set<String>> redirectHosts = new HashMap<>();
  private final List<IdSync> idSyncs;

  /**
   * An ID sync a data source asks the ID service to fire from the page.
   *
   * @param url the partner's sync URL, macros not yet expanded
   * @param ttlDays how often the same browser syncs again
   */
  public record IdSync(long dataSourceId, String url, int ttlDays) {}

  DataSources(List<DataSource> dataSources) {
    List<IdSync> syncs = new ArrayList<>();
    for (DataSource dataSource : dataSources) {
      ids.add(dataSource.getId());
      if (dataSource.getIntegrationCode() != null) {
        byIntegrationCode.put(dataSource.getIntegrationCode(), dataSource.getId());
      }
      if (dataSource.getProvider() != null) {
        providers.put(dataSource.getId(), URI.create(dataSource.getProvider().getUrl()));
      }
      Set<String> hosts = new HashSet<>(dataSource.getRedirectHosts());
      if (dataSource.getIdSync() != null) {
        hostOf(dataSource.getIdSync().getUrl()).ifPresent(hosts::add);
      }
      redirectHosts.put(dataSource.getId(), Set.copyOf(hosts));
      if (dataSource.getIdSync() != null) {
        syncs.add(
            new IdSync(
                dataSource.getId(),
                dataSource.getIdSync().getUrl(),
                dataSource.getIdSync().getTtlDays()));
      }
    }
    this.idSyncs = List.copyOf(syncs);
  }

  /** Whether the taxonomy has a data source with this id. */
  public boolean knows(long dataSourceId) {
    return ids.contains(dataSourceId);
  }

  /** The data source that {@code integrationCode} names; codes are matched exactly. */
  public Optional<Long> byIntegrationCode(String integrationCode) {
    return Optional.ofNullable(byIntegrationCode.get(integrationCode));
  }

  /**
   * The hosts an ID sync of {@code dataSourceId} may redirect to: those it declares, and its own
   * sync URL's host. None for a data source the taxonomy does not have.
   */
  public Set<String> redirectHosts(long dataSourceId) {
    return redirectHosts.getOrDefault(dataSourceId, Set.of());
  }

  private static Optional<String> hostOf(String url) {
    try {
      return Optional.ofNullable(URI.create(UrlMacros.standIn(url)).getHost())
          .map(host -> host.toLowerCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The real-time provider endpoint a data source declares, if any. */
  public Optional<URI> provider(long dataSourceId) {
    return Optional.ofNullable(providers.get(dataSourceId));
  }

  public List<IdSync> idSyncs() {
    return idSyncs;
  }
}
