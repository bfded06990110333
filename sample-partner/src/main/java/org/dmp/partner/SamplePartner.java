package org.dmp.partner;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.dmp.runtime.BodySignature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partner's real-time endpoint, as a partner would run it: takes Audience Manager real-time POSTs
 * (and batch files by PUT), checks the signature when given secrets, and keeps what it received.
 * For the demo it logs each request; for tests and benchmarks it can fail a share of requests,
 * answer slowly, or go down and come back on the same port.
 *
 * <p>It keeps a bounded history of requests (by default the last {@value #HISTORY}) and the last
 * {@value #FILES} files: the demo runs for days, and a benchmark's partner that kept every body
 * made its collector pause for 100 ms at a time. Whoever needs every request listens with {@link
 * #onReceived}.
 */
public final class SamplePartner extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(SamplePartner.class);
  private static final int HISTORY = 10_000;
  private static final int FILES = 100;

  /** One request as received, and the status it was answered with. */
  public record Received(
      String idempotencyKey,
      List<String> visitorIds,
      JsonObject body,
      int status,
      Instant at,
      long atNanos) {
    /**
     * The visitors (AAM_UUID) this request sent with the segment value at the status: "1" in it,
     * "0" out of it.
     */
    public List<String> visitors(String segmentValue, String segmentStatus) {
      return body.getJsonArray("Users", new io.vertx.core.json.JsonArray()).stream()
          .map(JsonObject.class::cast)
          .filter(
              user ->
                  user.getJsonArray("Segments").stream()
                      .map(JsonObject.class::cast)
                      .anyMatch(
                          segment ->
                              segmentValue.equals(segment.getString("Segment_ID"))
                                  && segmentStatus.equals(segment.getString("Status"))))
          .map(user -> user.getString("AAM_UUID"))
          .toList();
    }
  }

  /**
   * How requests are checked: the signature's algorithm, header and the secrets accepted (two
   * during a rotation).
   */
  public record Verification(String algorithm, String header, List<String> secrets) {}

  private static final String SYNC_PATH = "/sync";

  private final int requestedPort;
  private final Optional<Verification> verification;
  private final boolean log;
  private final int history;

  /** Guarded by itself. */
  private final Deque<Received> received = new ArrayDeque<>();

  private final List<Consumer<Received>> listeners = new CopyOnWriteArrayList<>();

  /** Guarded by itself; the oldest file goes first. */
  private final Map<String, byte[]> uploads =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
          return size() > FILES;
        }
      };

  private volatile String idSyncsBackTo;
  private volatile double failShare;
  private volatile Duration delay = Duration.ZERO;
  private HttpServer server;
  private int port;

  /**
   * @param port 0 for any free port; kept across {@link #goDown()} and {@link #comeBack()}
   */
  public SamplePartner(int port, Optional<Verification> verification, boolean log) {
    this(port, verification, log, HISTORY);
  }

  /**
   * @param history how many of the last requests {@link #received()} keeps
   */
  public SamplePartner(int port, Optional<Verification> verification, boolean log, int history) {
    this.requestedPort = port;
    this.verification = verification;
    this.log = log;
    this.history = history;
  }

  @Override
  public Future<?> start() {
    return listen(requestedPort).onSuccess(listening -> port = listening.actualPort());
  }

  private Future<HttpServer> listen(int onPort) {
    server = vertx.createHttpServer().requestHandler(this::handle);
    return server.listen(onPort, "127.0.0.1");
  }

  public int port() {
    return port;
  }

  /** The URL destinations are declared with. */
  public String url() {
    return "http://127.0.0.1:" + port + "/aam";
  }

  /** The URL a data source's ID sync calls: {@code ${DD_UUID}} is the visitor's id there. */
  public String idSyncUrl() {
    return "http://127.0.0.1:" + port + SYNC_PATH + "?aam_uuid=${DD_UUID}";
  }

  /**
   * Answers each ID sync ({@link #idSyncUrl()}) as a partner does: by sending the browser back to
   * this edge's ID sync endpoint with the partner's own id for it ({@code dsp-<visitor id>}) under
   * data source {@code dataSourceId}. Until set, ID syncs are answered 404.
   */
  public void answerIdSyncs(String edgeUrl, long dataSourceId) {
    this.idSyncsBackTo = edgeUrl + "/ibs:dpid=" + dataSourceId + "&dpuuid=dsp-";
  }

  /** Answers this share (0 to 1) of requests with 503. */
  public void failShare(double share) {
    this.failShare = share;
  }

  /** Waits this long before answering. */
  public void answerAfter(Duration wait) {
    this.delay = wait;
  }

  /** Stops listening: senders get connection errors until {@link #comeBack()}. */
  public Future<Void> goDown() {
    return server.close();
  }

  public Future<HttpServer> comeBack() {
    return listen(port);
  }

  /** Called for every request received, on the partner's event loop. */
  public void onReceived(Consumer<Received> listener) {
    listeners.add(listener);
  }

  /** The last requests, in order of arrival. */
  public List<Received> received() {
    synchronized (received) {
      return new ArrayList<>(received);
    }
  }

  /** Of the last requests, those answered 200. */
  public List<Received> accepted() {
    return received().stream().filter(request -> request.status() == 200).toList();
  }

  /**
   * The last files received by PUT, by request path, in the order first received: batch uploads.
   */
  public Map<String, byte[]> uploads() {
    synchronized (uploads) {
      return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(uploads));
    }
  }

  private void handle(HttpServerRequest request) {
    if (request.path().equals(SYNC_PATH) && request.method().name().equals("GET")) {
      idSync(request);
      return;
    }
    if (request.method().name().equals("PUT")) {
      receiveFile(request);
      return;
    }
    if (!request.method().name().equals("POST")) {
      request.response().setStatusCode(405).end();
      return;
    }
    request
        .body()
        .onSuccess(
            body -> {
              Instant at = Instant.now();
              long atNanos = System.nanoTime();
              JsonObject json;
              try {
                json = body.toJsonObject();
              } catch (DecodeException e) {
                answer(
                    request,
                    400,
                    new Received(
                        request.getHeader("Idempotency-Key"), List.of(), null, 400, at, atNanos));
                return;
              }
              int status = 200;
              if (verification.isPresent()
                  && !BodySignature.verifies(
                      verification.get().algorithm(),
                      verification.get().secrets(),
                      body.getBytes(),
                      request.getHeader(verification.get().header()))) {
                status = 401;
              } else if (failShare > 0 && ThreadLocalRandom.current().nextDouble() < failShare) {
                status = 503;
              }
              Received received =
                  new Received(
                      request.getHeader("Idempotency-Key"),
                      visitors(json),
                      json,
                      status,
                      at,
                      atNanos);
              if (delay.isZero()) {
                answer(request, status, received);
              } else {
                vertx.setTimer(
                    delay.toMillis(), timer -> answer(request, received.status(), received));
              }
            });
  }

  private void idSync(HttpServerRequest request) {
    String back = idSyncsBackTo;
    String visitor = request.getParam("aam_uuid");
    if (back == null || visitor == null || !visitor.matches("[0-9]{1,38}")) {
      request.response().setStatusCode(404).end();
      return;
    }
    if (log) {
      LOG.info("Sample partner: ID sync of visitor {}, sent back as dsp-{}", visitor, visitor);
    }
    request.response().setStatusCode(302).putHeader("Location", back + visitor).end();
  }

  private void receiveFile(HttpServerRequest request) {
    request
        .body()
        .onSuccess(
            body -> {
              int status =
                  failShare > 0 && ThreadLocalRandom.current().nextDouble() < failShare ? 503 : 201;
              if (status == 201) {
                synchronized (uploads) {
                  uploads.put(request.path(), body.getBytes());
                }
              }
              if (log) {
                LOG.info(
                    "Sample partner: PUT {} ({} bytes), answered {}",
                    request.path(),
                    body.length(),
                    status);
              }
              request.response().setStatusCode(status).end();
            });
  }

  private void answer(HttpServerRequest request, int status, Received what) {
    synchronized (received) {
      received.addLast(what);
      if (received.size() > history) {
        received.removeFirst();
      }
    }
    listeners.forEach(listener -> listener.accept(what));
    if (log) {
      LOG.info(
          "Sample partner: {} from destination {} with {} users (key {}), answered {}",
          request.method(),
          what.body() == null ? "?" : what.body().getString("AAM_Destination_Id"),
          what.visitorIds().size(),
          what.idempotencyKey(),
          status);
    }
    request.response().setStatusCode(status).end();
  }

  private static List<String> visitors(JsonObject body) {
    JsonArray users = body.getJsonArray("Users", new JsonArray());
    List<String> visitors = new ArrayList<>();
    for (int i = 0; i < users.size(); i++) {
      visitors.add(users.getJsonObject(i).getString("AAM_UUID"));
    }
    return visitors;
  }
}
