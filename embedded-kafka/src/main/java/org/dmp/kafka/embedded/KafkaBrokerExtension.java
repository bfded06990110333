package org.dmp.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives integration tests a real broker, started once per test JVM however many test classes ask
 * for it, and stopped (its storage deleted) when the JVM's tests are done.
 *
 * <p>Tests declare an {@link EmbeddedKafkaBroker} parameter and name their topics and groups with
 * {@link UniqueNames}, so no two tests see each other's records.
 */
public final class KafkaBrokerExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == EmbeddedKafkaBroker.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(SharedBroker.class, key -> SharedBroker.start(), SharedBroker.class)
        .broker();
  }

  /** Held in the root store, which closes it once all tests of the JVM have run. */
  private record SharedBroker(EmbeddedKafkaBroker broker, Path dataDir) implements AutoCloseable {
    static SharedBroker start() {
      try {
        Path dataDir = Files.createTempDirectory("dmp-test-kafka-");
        return new SharedBroker(EmbeddedKafkaBroker.start(dataDir, 0, Map.of()), dataDir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() throws IOException {
      broker.close();
      try (Stream<Path> paths = Files.walk(dataDir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }
}
