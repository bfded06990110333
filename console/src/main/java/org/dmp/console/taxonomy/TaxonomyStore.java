package org.dmp.console.taxonomy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.dmp.avro.TaxonomyEntry;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.schemas.topics.Topic;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.Taxonomy;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.taxonomy.TaxonomyJson;
import org.dmp.taxonomy.TaxonomyPublisher;
import org.dmp.taxonomy.TaxonomyView;

/**
 * The taxonomy the console shows and changes: the one in force, followed on the taxonomy topic as
 * every service follows it, and changes published there as new revisions. Changes are made one at a
 * time, on a worker thread of their own, each against the revision in force once the one before it
 * is: two editors never lose each other's change here, and an editor who names the revision he saw
 * (If-Match) is refused if another came in between.
 */
public final class TaxonomyStore implements AutoCloseable {
  /**
   * What the API calls the source of the revisions it publishes, as dmp taxonomy apply names files.
   */
  static final String SOURCE = "the taxonomy API";

  private final TaxonomyView view;
  private final KafkaClients kafka;
  private final Topic<String, TaxonomyEntry> topic;
  private final Clock clock;
  private final Duration timeout;
  private final WorkerExecutor writer;
  private final Object revisions = new Object();
  private volatile InForce inForce;

  /** A change to the taxonomy file; it may refuse by throwing {@link ApiException}. */
  @FunctionalInterface
  public interface Change {
    void apply(JsonObject file);
  }

  /** A published change: the revision, and the file it made. */
  public record Published(TaxonomyPublisher.Applied applied, JsonObject file) {}

  public TaxonomyStore(
      Vertx vertx,
      KafkaClients kafka,
      Topic<String, TaxonomyEntry> topic,
      Clock clock,
      Duration timeout) {
    this.kafka = kafka;
    this.topic = topic;
    this.clock = clock;
    this.timeout = timeout;
    this.writer = vertx.createSharedWorkerExecutor("dmp-console-taxonomy", 1);
    this.view = TaxonomyView.follow("dmp-console-taxonomy", kafka, topic);
    view.onRevision(
        () -> {
          // Written here, on the topic reader's thread, so that readers on an event loop find it.
          inForce();
          synchronized (revisions) {
            revisions.notifyAll();
          }
        });
  }

  /** Completes once the taxonomy in force at start is read. */
  public Future<Void> caughtUp() {
    return Future.fromCompletionStage(view.caughtUp());
  }

  /**
   * The taxonomy file in force and its revision, written once per revision (a taxonomy of thousands
   * of traits takes milliseconds to write: not for every call, on an event loop). Shared: read it,
   * never change it.
   */
  public InForce inForce() {
    CompiledTaxonomy current = view.get();
    InForce cached = inForce;
    if (cached == null || cached.source() != current) {
      cached = new InForce(current, sortedFile(current));
      inForce = cached;
    }
    return cached;
  }

  /** A taxonomy in force, and its file. */
  public record InForce(CompiledTaxonomy source, JsonObject file) {
    public long revision() {
      return source.revision();
    }
  }

  /** The taxonomy file in force, for the caller to change at will. */
  public JsonObject file() {
    return inForce().file().copy();
  }

  /**
   * Items in the order of their ids, whatever order the topic gave them (a file exported twice
   * reads the same), and every list there, even empty.
   */
  private static JsonObject sortedFile(CompiledTaxonomy taxonomy) {
    JsonObject file = TaxonomyJson.write(taxonomy.source()).copy();
    for (Collection kind : Collection.values()) {
      JsonArray items = kind.items(file);
      List<JsonObject> sorted = new ArrayList<>();
      for (int index = 0; index < items.size(); index++) {
        sorted.add(items.getJsonObject(index));
      }
      sorted.sort(Comparator.comparingLong(item -> item.getLong("id", 0L)));
      file.put(kind.field(), new JsonArray(new ArrayList<Object>(sorted)));
    }
    return file;
  }

  /**
   * Applies {@code change} to the file in force, checks the result as {@code dmp taxonomy validate}
   * does, publishes it and waits until it is in force.
   *
   * @param expectedRevision the revision the change was made against, or null for any
   */
  public Future<Published> change(Long expectedRevision, Change change) {
    return writer.executeBlocking(
        () -> {
          long current = view.revision();
          if (expectedRevision != null && expectedRevision != current) {
            throw new ApiException(
                412,
                "revision "
                    + current
                    + " is in force, not "
                    + expectedRevision
                    + ": reload and make the change again");
          }
          JsonObject file = file();
          change.apply(file);
          Taxonomy next = TaxonomyFile.parse(SOURCE, file.encode());
          TaxonomyPublisher.Applied applied =
              TaxonomyPublisher.apply(kafka, topic, next, SOURCE, clock);
          awaitInForce(applied.revision());
          return new Published(applied, TaxonomyJson.write(next));
        },
        true);
  }

  private void awaitInForce(long revision) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (revisions) {
      while (view.revision() < revision) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException(
              "revision " + revision + " was published but not read back within " + timeout);
        }
        TimeUnit.NANOSECONDS.timedWait(revisions, left);
      }
    }
  }

  @Override
  public void close() {
    writer.close();
    view.close();
  }
}
