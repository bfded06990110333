package org.dmp.runtime.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Every Kafka client a process makes, from one place: the cluster ({@code kafka.bootstrap}) and the
 * settings every client shares, such as TLS or SASL for a secured cluster, read from a Kafka client
 * properties file ({@code kafka.client.config-file}), under each client's own settings. A client
 * resolves the bootstrap host names when it is built: build clients off the event loop.
 */
public final class KafkaClients {
  private final String bootstrap;
  private final Map<String, Object> shared;

  private KafkaClients(String bootstrap, Map<String, Object> shared) {
    this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
    this.shared = Map.copyOf(shared);
  }

  /** Clients of a cluster that needs nothing but its address. */
  public static KafkaClients of(String bootstrap) {
    return new KafkaClients(bootstrap, Map.of());
  }

  /**
   * Clients of a cluster whose shared settings are in {@code configFile}, when given.
   *
   * @throws IllegalArgumentException naming the file, when it cannot be read
   */
  public static KafkaClients of(String bootstrap, Optional<Path> configFile) {
    if (configFile.isEmpty()) {
      return of(bootstrap);
    }
    Properties file = new Properties();
    try (Reader reader = Files.newBufferedReader(configFile.get(), StandardCharsets.UTF_8)) {
      file.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "kafka.client.config-file " + configFile.get() + " cannot be read: " + e.getMessage(), e);
    }
    Map<String, Object> shared = new HashMap<>();
    file.stringPropertyNames().forEach(name -> shared.put(name, file.getProperty(name)));
    if (shared.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
      throw new IllegalArgumentException(
          "kafka.client.config-file "
              + configFile.get()
              + " sets bootstrap.servers: set kafka.bootstrap instead");
    }
    return new KafkaClients(bootstrap, shared);
  }

  public String bootstrap() {
    return bootstrap;
  }

  /** The settings of one client: the cluster, then the shared settings, then the client's own. */
  public Map<String, Object> settings(Map<String, ?> own) {
    Map<String, Object> settings = new HashMap<>(shared);
    settings.putAll(own);
    settings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return settings;
  }

  /** The same, as Kafka Streams takes them: its own clients get the shared settings too. */
  public Properties properties(Map<String, ?> own) {
    Properties properties = new Properties();
    properties.putAll(settings(own));
    return properties;
  }

  public <K, V> KafkaProducer<K, V> producer(
      Map<String, ?> own, Serializer<K> keys, Serializer<V> values) {
    return new KafkaProducer<>(settings(own), keys, values);
  }

  public <K, V> KafkaConsumer<K, V> consumer(
      Map<String, ?> own, Deserializer<K> keys, Deserializer<V> values) {
    return new KafkaConsumer<>(settings(own), keys, values);
  }

  public Admin admin(Map<String, ?> own) {
    return Admin.create(settings(own));
  }
}
