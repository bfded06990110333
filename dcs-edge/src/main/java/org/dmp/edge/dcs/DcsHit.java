package org.dmp.edge.dcs;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dmp.avro.PartnerId;

/**
 * One {@code /event} hit, classified by key prefix.
 *
 * @param signals c_, d_ (other than the platform keys below) and unprefixed keys, as sent
 * @param privateSignals p_ keys: evaluated for this hit only, never stored, logged or forwarded
 * @param httpAttributes h_ keys sent as parameters: they replace those read from the headers
 * @param partnerIds the partner ids the call declares for the visitor ({@link
 *     org.dmp.edge.identity.DeclaredIds})
 * @param realizedTraits d_sid: onboarded traits the hit realizes (pixel-based data transfer)
 * @param removedTraits d_unsid: traits the hit removes from the visitor
 * @param answer what the caller asked to get back
 * @param targetDataSourceId d_tdpid: evaluate only that data source's traits
 */
public record DcsHit(
    Map<String, List<String>> signals,
    Map<String, List<String>> privateSignals,
    Map<String, String> httpAttributes,
    List<PartnerId> partnerIds,
    List<Long> realizedTraits,
    List<Long> removedTraits,
    AnswerOptions answer,
    Optional<Long> targetDataSourceId) {

  /**
   * @param json d_rtbd=json, or a JSONP callback: answer JSON instead of a pixel
   * @param callback d_cb: wrap the JSON in this JavaScript function call
   * @param urlDestinations d_dst=1: include URL destinations to fire
   * @param traitsAndSegments d_cts=1 or 2: include the visitor's trait and segment ids, as Audience
   *     Manager does for either value (1 once meant its legacy segment ids)
   */
  public record AnswerOptions(
      boolean json, Optional<String> callback, boolean urlDestinations, boolean traitsAndSegments) {
    public static final AnswerOptions PIXEL =
        new AnswerOptions(false, Optional.empty(), false, false);
  }
}
