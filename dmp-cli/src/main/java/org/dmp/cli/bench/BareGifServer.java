package org.dmp.cli.bench;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.util.Base64;

/**
 * The baseline: a Vert.x server that answers every call with the edge's GIF and does nothing else.
 */
final class BareGifServer extends VerticleBase {
  private static final Buffer PIXEL =
      Buffer.buffer(
          Base64.getDecoder().decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"));

  private final int port;
  private HttpServer server;

  BareGifServer(int port) {
    this.port = port;
  }

  @Override
  public Future<?> start() {
    return vertx
        .createHttpServer()
        .requestHandler(
            request ->
                request
                    .response()
                    .putHeader("Content-Type", "image/gif")
                    .putHeader("Cache-Control", "no-store")
                    .end(PIXEL))
        .listen(port, "127.0.0.1")
        .onSuccess(listening -> server = listening);
  }

  int actualPort() {
    return server.actualPort();
  }
}
