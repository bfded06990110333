package org.dmp.cli.bench;

import io.vertx.core.CompositeFuture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Drives an HTTP target in one of two ways: closed loop (a fixed number of callers, each sending
 * its next call when the last one is answered) to find the highest throughput, and open loop (calls
 * started on a fixed schedule whatever the answers do) to measure latency at a given rate.
 *
 * <p>In the open loop each call's latency counts from when it was due, not from when it was sent,
 * so a stalled target cannot hide its stall by slowing the generator down (coordinated omission).
 */
final class LoadGenerator implements AutoCloseable {
  private static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final int port;
  private final String uri;
  private final int connections;

  /** What one run measured. */
  record Result(long answered, long failed, Duration elapsed, Histogram latencyNanos) {
    double perSecond() {
      return answered / (elapsed.toNanos() / 1e9);
    }

    double millisAt(double percentile) {
      return millis(latencyNanos, percentile);
    }
  }

  /** A percentile of a histogram of nanoseconds, in milliseconds; 0 when it is empty. */
  static double millis(Histogram nanos, double percentile) {
    return nanos.getTotalCount() == 0 ? 0 : nanos.getValueAtPercentile(percentile) / 1e6;
  }

  /**
   * @param connections how many calls are in flight at most: every call has a connection of its own
   */
  LoadGenerator(Vertx vertx, int port, String uri, int connections) {
    this.vertx = vertx;
    this.port = port;
    this.uri = uri;
    this.connections = connections;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
  }

  /** One call kept in flight on each of the generator's connections for {@code duration}. */
  Future<Result> closedLoop(Duration duration) {
    return connect(connections)
        .compose(
            opened -> {
              Histogram histogram = histogram();
              AtomicLong answered = new AtomicLong();
              AtomicLong failed = new AtomicLong();
              long start = System.nanoTime();
              long end = start + duration.toNanos();
              Promise<Result> done = Promise.promise();
              AtomicLong running = new AtomicLong(opened.size());
              for (HttpClientConnection connection : opened) {
                callUntil(
                    connection,
                    end,
                    histogram,
                    answered,
                    failed,
                    () -> {
                      if (running.decrementAndGet() == 0) {
                        done.complete(
                            new Result(
                                answered.get(),
                                failed.get(),
                                Duration.ofNanos(System.nanoTime() - start),
                                histogram));
                      }
                    });
              }
              return done.future()
                  .onComplete(finished -> opened.forEach(HttpClientConnection::close));
            });
  }

  /**
   * Connections opened, and each used for one call, before timing starts; then used one call at a
   * time. The client's pool would look for a free connection among all of them on every call, which
   * costs the generator more than the call when the target holds many calls for a while. A
   * connection's first call costs the target more than later ones, and 256 of them at once held the
   * first 30 ms of an open loop at 15 ms each.
   */
  private Future<List<HttpClientConnection>> connect(int count) {
    List<Future<HttpClientConnection>> primed = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      primed.add(
          client
              .connect(new HttpConnectOptions().setHost("127.0.0.1").setPort(port))
              .compose(
                  connection ->
                      call(connection, uri)
                          .transform(firstCall -> Future.succeededFuture(connection))));
    }
    return Future.all(primed).map(CompositeFuture::list);
  }

  private void callUntil(
      HttpClient connection,
      long end,
      Histogram histogram,
      AtomicLong answered,
      AtomicLong failed,
      Runnable finished) {
    if (System.nanoTime() >= end) {
      finished.run();
      return;
    }
    long sent = System.nanoTime();
    call(connection, uri)
        .onComplete(
            result -> {
              record(histogram, answered, failed, sent, result.succeeded() && result.result());
              callUntil(connection, end, histogram, answered, failed, finished);
            });
  }

  /**
   * Starts {@code perSecond} calls a second for {@code duration}, each due at its slot in the
   * schedule.
   */
  Future<Result> openLoop(double perSecond, Duration duration) {
    return openLoop(perSecond, duration, call -> uri, (call, ok, latencyNanos, body) -> {});
  }

  /** Told of each call's outcome as it is answered, on the generator's event loop. */
  @FunctionalInterface
  interface Answered {
    /**
     * @param latencyNanos from when the call was due
     * @param body the answer's body; null when the call failed
     */
    void answered(long call, boolean ok, long latencyNanos, Buffer body);
  }

  /**
   * Starts {@code perSecond} calls a second for {@code duration}, each due at its slot in the
   * schedule, call {@code n} (from 0) to {@code uris.apply(n)}.
   */
  Future<Result> openLoop(
      double perSecond, Duration duration, LongFunction<String> uris, Answered answered) {
    return connect(connections)
        .compose(
            opened -> {
              Lanes lanes = new Lanes(opened);
              Histogram histogram = histogram();
              AtomicLong succeeded = new AtomicLong();
              AtomicLong failed = new AtomicLong();
              long total = Math.round(perSecond * duration.toNanos() / 1e9);
              double intervalNanos = 1e9 / perSecond;
              long start = System.nanoTime();
              AtomicLong issued = new AtomicLong();
              AtomicLong outstanding = new AtomicLong(total);
              Promise<Result> done = Promise.promise();
              vertx.setPeriodic(
                  1,
                  timer -> {
                    long now = System.nanoTime();
                    while (issued.get() < total
                        && start + (long) (issued.get() * intervalNanos) <= now) {
                      long call = issued.getAndIncrement();
                      long due = start + (long) (call * intervalNanos);
                      lanes.borrow(
                          connection ->
                              answer(connection, uris.apply(call))
                                  .onComplete(
                                      result -> {
                                        lanes.release(connection, result.succeeded());
                                        boolean ok =
                                            result.succeeded()
                                                && result.result().statusCode() / 100 == 2;
                                        record(histogram, succeeded, failed, due, ok);
                                        answered.answered(
                                            call,
                                            ok,
                                            System.nanoTime() - due,
                                            result.succeeded() ? result.result().body() : null);
                                        if (outstanding.decrementAndGet() == 0) {
                                          done.complete(
                                              new Result(
                                                  succeeded.get(),
                                                  failed.get(),
                                                  Duration.ofNanos(System.nanoTime() - start),
                                                  histogram));
                                        }
                                      }));
                    }
                    if (issued.get() >= total) {
                      vertx.cancelTimer(timer);
                    }
                  });
              return done.future().onComplete(finished -> lanes.close());
            });
  }

  /**
   * Lends each call a connection of its own, the calls waiting in order while all are busy. Runs on
   * the generator's one event loop only. A connection whose call failed is replaced, so a target
   * that drops connections makes calls fail, not vanish.
   */
  private final class Lanes {
    private final ArrayDeque<HttpClientConnection> idle;
    private final ArrayDeque<Consumer<HttpClientConnection>> waiting = new ArrayDeque<>();
    private final List<HttpClientConnection> all;

    Lanes(List<HttpClientConnection> opened) {
      this.idle = new ArrayDeque<>(opened);
      this.all = new ArrayList<>(opened);
    }

    void borrow(Consumer<HttpClientConnection> caller) {
      HttpClientConnection connection = idle.poll();
      if (connection == null) {
        waiting.add(caller);
      } else {
        caller.accept(connection);
      }
    }

    void release(HttpClientConnection connection, boolean healthy) {
      if (healthy) {
        hand(connection);
        return;
      }
      connection.close();
      connect(1)
          .onComplete(
              replaced -> {
                if (replaced.succeeded()) {
                  all.add(replaced.result().get(0));
                  hand(replaced.result().get(0));
                } else {
                  // Nothing to lend on: let the next waiting call fail on the closed connection, as
                  // counted failure.
                  hand(connection);
                }
              });
    }

    private void hand(HttpClientConnection connection) {
      Consumer<HttpClientConnection> next = waiting.poll();
      if (next == null) {
        idle.push(connection);
      } else {
        next.accept(connection);
      }
    }

    void close() {
      all.forEach(HttpClientConnection::close);
    }
  }

  /** One call; true if answered 2xx. */
  private Future<Boolean> call(HttpClient through, String target) {
    return answer(through, target).map(answer -> answer.statusCode() / 100 == 2);
  }

  private record Answer(int statusCode, Buffer body) {}

  private Future<Answer> answer(HttpClient through, String target) {
    return through
        .request(HttpMethod.GET, port, "127.0.0.1", target)
        .compose(request -> request.send())
        .compose(response -> response.body().map(body -> new Answer(response.statusCode(), body)));
  }

  private static void record(
      Histogram histogram, AtomicLong answered, AtomicLong failed, long since, boolean ok) {
    if (ok) {
      answered.incrementAndGet();
      histogram.recordValue(Math.min(HIGHEST_TRACKABLE_NANOS, System.nanoTime() - since));
    } else {
      failed.incrementAndGet();
    }
  }

  private static Histogram histogram() {
    return new ConcurrentHistogram(HIGHEST_TRACKABLE_NANOS, 3);
  }

  @Override
  public void close() {
    client.close();
  }
}
