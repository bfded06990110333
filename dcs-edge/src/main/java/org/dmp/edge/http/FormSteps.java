package org.dmp.edge.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Route steps that refuse a call beyond the {@link RequestLimits} and decode its parameters into
 * the request's {@link Form}. Per event loop: the decoders are not thread-safe.
 */
public final class FormSteps {
  private final RequestLimits limits;
  private final FormDecoder valueLists;
  private final FormDecoder wholeValues;

  public FormSteps(RequestLimits limits) {
    this.limits = limits;
    this.valueLists = new FormDecoder(limits.maxKeys(), limits.maxKeyLength(), true);
    this.wholeValues = new FormDecoder(limits.maxKeys(), limits.maxKeyLength(), false);
  }

  /**
   * A GET's query or a POST's form body; an unescaped comma separates values, as DCS calls mean it.
   */
  public Handler<RoutingContext> queryOrBody() {
    return context -> {
      refuseLongUrl(context);
      if (context.request().method() == HttpMethod.POST) {
        RequestBody.readForm(context.request(), limits.maxBodyBytes())
            .map(body -> FormDecoder.merged(valueLists.decode(body)))
            .onSuccess(params -> next(context, params))
            .onFailure(context::fail);
      } else {
        next(context, FormDecoder.merged(valueLists.decode(context.request().query())));
      }
    };
  }

  /**
   * What follows {@code prefix} in the path, then the query; commas belong to the values (redirect
   * URLs hold them).
   */
  public Handler<RoutingContext> pathThenQuery(String prefix) {
    return context -> {
      refuseLongUrl(context);
      List<FormDecoder.Param> params =
          new ArrayList<>(wholeValues.decode(context.request().path().substring(prefix.length())));
      params.addAll(wholeValues.decode(context.request().query()));
      next(context, FormDecoder.merged(params));
    };
  }

  private void refuseLongUrl(RoutingContext context) {
    if (context.request().uri().length() > limits.maxUrlBytes()) {
      throw new Refused(414, "the URL is longer than " + limits.maxUrlBytes() + " bytes");
    }
  }

  private static void next(RoutingContext context, Map<String, List<String>> params) {
    new Form(params).putOn(context);
    context.next();
  }
}
