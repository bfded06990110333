package org.dmp.inbound.service;

import io.vertx.core.Vertx;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.UUID;
import org.dmp.inbound.format.InboundFileException;
import org.dmp.inbound.format.InboundFileName;
import org.dmp.inbound.ingest.Ingestion;

/**
 * {@code PUT /inbound/<file name>} for partners who push over HTTPS: with the bearer token, a file
 * whose name parses is streamed into the inbox (under a name the inbox leaves alone, then renamed
 * in whole) and answered 202 with where its receipt will be; {@code GET /inbound/<file
 * name>/receipt} answers the receipt once the file is read.
 */
final class Uploads {
  private static final java.time.Duration LINGER = java.time.Duration.ofSeconds(30);

  private final Vertx vertx;
  private final Inbox inbox;
  private final Optional<byte[]> token;
  private final long maxBytes;

  Uploads(Vertx vertx, Inbox inbox, Optional<String> token, long maxBytes) {
    this.vertx = vertx;
    this.inbox = inbox;
    this.token =
        token
            .filter(value -> !value.isEmpty())
            .map(value -> value.getBytes(StandardCharsets.UTF_8));
    this.maxBytes = maxBytes;
  }

  void mount(Router router) {
    router.put("/inbound/:name").handler(this::upload);
    router.get("/inbound/:name/receipt").handler(this::receipt);
  }

  private void upload(RoutingContext context) {
    HttpServerRequest request = context.request();
    request.pause();
    // An upload refused before its body is stored is answered at once, then the rest of its body
    // is read and dropped: closing with bytes unread would reset the connection and lose the
    // answer, and a client still sending would otherwise wait for ever. A client that keeps sending
    // past LINGER loses the connection.
    context.addEndHandler(
        ended -> {
          if (context.response().getStatusCode() != 202
              && request.version() != io.vertx.core.http.HttpVersion.HTTP_2
              && !request.isEnded()) {
            long linger = vertx.setTimer(LINGER.toMillis(), late -> request.connection().close());
            request.handler(dropped -> {});
            request.endHandler(done -> vertx.cancelTimer(linger));
            request.resume();
          }
        });
    if (!authorized(context)) {
      return;
    }
    String name = context.pathParam("name");
    try {
      InboundFileName.parse(name);
    } catch (InboundFileException refused) {
      fail(context, 400, refused.getMessage());
      return;
    }
    String length = request.getHeader("Content-Length");
    if (length != null && parsedLength(length) > maxBytes) {
      fail(context, 413, "the file is larger than " + maxBytes + " bytes, the most taken");
      return;
    }
    vertx
        .fileSystem()
        .exists(inbox.folder().resolve(name).toString())
        .onComplete(
            waiting -> {
              if (waiting.failed() || waiting.result()) {
                fail(context, 409, name + " is already waiting in the inbox");
              } else {
                receive(context, name);
              }
            });
  }

  /** Streams the body into the inbox under a name it leaves alone, then renames it in whole. */
  private void receive(RoutingContext context, String name) {
    HttpServerRequest request = context.request();
    Path partial = inbox.folder().resolve("." + name + "." + UUID.randomUUID() + ".partial");
    long[] received = {0};
    vertx
        .fileSystem()
        .open(partial.toString(), new OpenOptions().setCreateNew(true).setWrite(true))
        .compose(file -> store(request, file, received))
        .compose(
            done ->
                vertx.executeBlocking(
                    () -> {
                      Files.move(partial, inbox.folder().resolve(name));
                      return null;
                    },
                    false))
        .onSuccess(
            moved -> {
              inbox.lookSoon();
              context
                  .response()
                  .setStatusCode(202)
                  .putHeader("Content-Type", "application/json")
                  .putHeader("Location", "/inbound/" + name + "/receipt")
                  .end(
                      new JsonObject()
                          .put("file", name)
                          .put("bytes", received[0])
                          .put("receipt", "/inbound/" + name + "/receipt")
                          .encode());
            })
        .onFailure(
            failure -> {
              vertx.fileSystem().delete(partial.toString());
              if (context.response().ended() || context.response().closed()) {
                return;
              }
              if (failure instanceof TooLarge) {
                fail(
                    context, 413, "the file is larger than " + maxBytes + " bytes, the most taken");
              } else if (failure instanceof java.nio.file.FileAlreadyExistsException) {
                fail(context, 409, name + " is already waiting in the inbox");
              } else {
                fail(context, 500, "the upload could not be stored: " + failure.getMessage());
              }
            });
  }

  /**
   * Writes the body to the file as it comes, pausing the upload while the disk catches up, and
   * stops at the size limit.
   */
  private io.vertx.core.Future<Void> store(
      HttpServerRequest request, io.vertx.core.file.AsyncFile file, long[] received) {
    io.vertx.core.Promise<Void> stored = io.vertx.core.Promise.promise();
    file.exceptionHandler(stored::tryFail);
    file.drainHandler(drained -> request.resume());
    request.exceptionHandler(stored::tryFail);
    request.handler(
        chunk -> {
          received[0] += chunk.length();
          if (received[0] > maxBytes) {
            stored.tryFail(new TooLarge());
            request.pause();
            return;
          }
          file.write(chunk);
          if (file.writeQueueFull()) {
            request.pause();
          }
        });
    request.endHandler(
        ended ->
            file.close()
                .onComplete(
                    closed -> {
                      if (closed.failed()) {
                        stored.tryFail(closed.cause());
                      } else {
                        stored.tryComplete();
                      }
                    }));
    request.resume();
    return stored.future().onFailure(failed -> file.close());
  }

  /** An upload past the size limit. */
  private static final class TooLarge extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super("too large", null, false, false);
    }
  }

  private void receipt(RoutingContext context) {
    if (!authorized(context)) {
      return;
    }
    String name = context.pathParam("name");
    if (name.contains("/") || name.startsWith(".")) {
      fail(context, 400, "not a file name: " + name);
      return;
    }
    Path receipt = Ingestion.receiptPath(inbox.folder().resolve(name));
    vertx
        .fileSystem()
        .readFile(receipt.toString())
        .onSuccess(
            bytes ->
                context
                    .response()
                    .putHeader("Content-Type", "application/json")
                    .end(new JsonObject(bytes).encode()))
        .onFailure(
            missing ->
                fail(
                    context,
                    404,
                    "no receipt for " + name + " yet: it is waiting in the inbox or being read"));
  }

  private boolean authorized(RoutingContext context) {
    if (token.isEmpty()) {
      fail(context, 403, "uploads are off: the service has no upload token set");
      return false;
    }
    String header = context.request().getHeader("Authorization");
    byte[] given =
        header != null && header.startsWith("Bearer ")
            ? header.substring("Bearer ".length()).getBytes(StandardCharsets.UTF_8)
            : new byte[0];
    if (!MessageDigest.isEqual(given, token.get())) {
      context.response().putHeader("WWW-Authenticate", "Bearer");
      fail(context, 401, "a valid bearer token is required");
      return false;
    }
    return true;
  }

  private static long parsedLength(String length) {
    try {
      return Long.parseLong(length);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static void fail(RoutingContext context, int status, String reason) {
    context
        .response()
        .putHeader("Connection", "close")
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("reason", reason).encode());
  }
}
