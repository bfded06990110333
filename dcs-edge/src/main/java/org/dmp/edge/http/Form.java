package org.dmp.edge.http;

import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A call's parameters, decoded once by a {@link FormSteps} step and read by the steps after it:
 * keys in order of first appearance, a repeated key's values merged in order.
 */
public record Form(Map<String, List<String>> params) {
  private static final String KEY = "dmp.form";

  /** The form a {@link FormSteps} step put on this request. */
  public static Form of(RoutingContext context) {
    Form form = context.get(KEY);
    if (form == null) {
      throw new IllegalStateException("no form step runs before " + context.request().path());
    }
    return form;
  }

  void putOn(RoutingContext context) {
    context.put(KEY, this);
  }

  /** The key's value, if the call gives it. */
  public Optional<String> single(String key) {
    List<String> values = params.get(key);
    if (values == null) {
      return Optional.empty();
    }
    if (values.size() != 1) {
      throw new InvalidHit(key + " takes exactly one value, got " + values.size());
    }
    return Optional.of(values.get(0));
  }

  public String required(String key) {
    return single(key).orElseThrow(() -> new InvalidHit(key + " is required"));
  }
}
