package org.dmp.edge.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's one failure handler: a {@link Refused} call gets its 4xx, {@link Unavailable} gets
 * 503 with Retry-After, and anything else is a fault of ours (500, logged). Every answer carries a
 * JSON reason.
 */
public final class FailureHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);

  private final Duration retryAfter;

  /**
   * @param retryAfter what a 503 tells the caller to wait before sending the call again
   */
  public FailureHandler(Duration retryAfter) {
    this.retryAfter = retryAfter;
  }

  @Override
  public void handle(RoutingContext context) {
    if (context.response().ended()) {
      return;
    }
    Throwable failure = context.failure();
    if (failure instanceof Refused refused) {
      if (refused.status() == 413) {
        // The rest of the body is not read: the connection cannot carry another request.
        context.response().putHeader("Connection", "close");
      }
      Responses.error(context.response(), refused.status(), refused.getMessage());
    } else if (failure instanceof Unavailable) {
      Responses.unavailable(context.response(), retryAfter, failure.getMessage());
    } else if (failure == null && context.statusCode() >= 400 && context.statusCode() < 500) {
      Responses.error(
          context.response(),
          context.statusCode(),
          HttpResponseStatus.valueOf(context.statusCode()).reasonPhrase());
    } else {
      LOG.error(
          "Failed to answer {} {}", context.request().method(), context.request().path(), failure);
      Responses.error(context.response(), 500, "the edge failed to handle the call");
    }
  }
}
