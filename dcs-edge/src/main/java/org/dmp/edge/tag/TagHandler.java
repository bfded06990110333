package org.dmp.edge.tag;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /dmp.js}: the project's first-party tag, served by the edge it talks to, so that a
 * site needs one script tag and nothing else. Read once at start; browsers may keep it five
 * minutes, so a new tag reaches them soon after an edge serves it.
 */
public final class TagHandler implements Handler<RoutingContext> {
  public static final String PATH = "/dmp.js";
  private static final String RESOURCE = "dmp.js";

  private final Buffer tag;

  public TagHandler() {
    try (InputStream in = TagHandler.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      tag = Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void handle(RoutingContext context) {
    context
        .response()
        .putHeader("Content-Type", "text/javascript; charset=utf-8")
        .putHeader("Cache-Control", "public, max-age=300")
        .end(tag);
  }
}
