package org.dmp.edge.dcs;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dmp.edge.answer.Qualification;

/** The DCS JSON answer to an {@code /event} hit that asked for one. */
final class DcsAnswer {
  private DcsAnswer() {}

  /**
   * {@code stuff}, {@code dests} (when asked for with d_dst=1), {@code uuid}, {@code dcs_region},
   * {@code tid}, and {@code traits} and {@code segments} when d_cts asks.
   */
  static JsonObject json(
      String visitorId,
      int region,
      String eventId,
      Qualification qualification,
      DcsHit.AnswerOptions options) {
    JsonArray stuff = new JsonArray();
    qualification
        .stuff()
        .forEach(
            cookie ->
                stuff.add(
                    new JsonObject()
                        .put("cn", cookie.name())
                        .put("cv", cookie.value())
                        .put("ttl", cookie.ttlDays())
                        .put("dmn", cookie.domain())));
    JsonArray dests = new JsonArray();
    if (options.urlDestinations()) {
      qualification
          .dests()
          .forEach(
              url ->
                  dests.add(
                      new JsonObject()
                          .put("c", url.url())
                          .put("e", url.secureUrl())
                          .put("y", "img")
                          .put("id", url.destinationId())));
    }
    JsonObject json =
        new JsonObject()
            .put("stuff", stuff)
            .put("dests", dests)
            .put("uuid", visitorId)
            .put("dcs_region", region)
            .put("tid", eventId);
    if (options.traitsAndSegments()) {
      json.put("traits", new JsonArray(qualification.traits()));
      json.put("segments", new JsonArray(qualification.segments()));
    }
    if (qualification.stale()) {
      json.put("stale", true);
    }
    return json;
  }
}
