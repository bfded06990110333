package org.dmp.edge.dcs;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dmp.edge.answer.Qualification;
import org.dmp.schemas.VisitorId;

/** The DCS JSON answer to an {@code /event} hit that asked for one. */
final class DcsAnswer {
  /** Audience Manager's DCS error code for a hit of a visitor who opted out. */
  static final int OPTED_OUT_ERROR = 171;

  private DcsAnswer() {}

  /**
   * {@code stuff}, {@code dests} (when asked for with d_dst=1), {@code uuid}, {@code dcs_region},
   * {@code tid}, and {@code traits} and {@code segments} when d_cts asks.
   */
  /**
   * Marks an answer to an opted-out visitor as Audience Manager does: its error 171 in {@code
   * errors}. Nothing of the hit was recorded.
   */
  static void optedOut(JsonObject json) {
    json.put(
        "errors",
        new JsonArray()
            .add(
                new JsonObject()
                    .put("code", OPTED_OUT_ERROR)
                    .put("msg", "Encountered opt out tag for id " + VisitorId.OPTED_OUT)));
  }

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
