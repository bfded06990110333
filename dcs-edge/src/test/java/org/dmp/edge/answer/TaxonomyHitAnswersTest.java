package org.dmp.edge.answer;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.dmp.avro.EventSource;
import org.dmp.avro.VisitEvent;
import org.dmp.edge.metrics.EdgeMetrics;
import org.dmp.edge.visit.VisitLog.LogPosition;
import org.dmp.runtime.MainThread;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.TaxonomyFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The answer's destinations from the taxonomy, for the segments a stand-in qualifier (a real HTTP
 * server) names.
 */
@ExtendWith(VertxExtension.class)
class TaxonomyHitAnswersTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  private static final String TAXONOMY =
      """
      {"dataSources": [{"id": 1, "name": "Site"}],
       "traits": [{"id": 101, "name": "Shoes", "dataSource": 1, "type": "rule", "rule": "c_category == \\"shoes\\""}],
       "segments": [{"id": 5002, "name": "Shoe fans", "rule": "[101T]"}],
       "destinations": [
         {"id": 9004, "name": "Pixel partner", "type": "url",
          "mappings": {"5002": "https://px.example/p?u=%DID%&region=%region%&t=%Timestamp%&r=%rnd%"}},
         {"id": 9003, "name": "Ad server", "type": "cookie", "cookieName": "aam",
          "mappings": {"5002": "seg=shoes"}}]}
      """;

  @Test
  void urlDestinationMacrosAreTheVisitorsInAnyCase(Vertx vertx) throws Exception {
    HttpServer qualifier =
        MainThread.await(
            vertx
                .createHttpServer()
                .requestHandler(
                    request ->
                        request
                            .response()
                            .putHeader("Content-Type", "application/json")
                            .end(
                                new JsonObject()
                                    .put("segments", List.of(5002))
                                    .put("traits", List.of(101))
                                    .encode()))
                .listen(0, "127.0.0.1"),
            WAIT,
            "listen");
    CompiledTaxonomy taxonomy = new CompiledTaxonomy(TaxonomyFile.parse("test.json", TAXONOMY));
    QualifierQuestions questions =
        new QualifierQuestions(
            vertx,
            "http://127.0.0.1:" + qualifier.actualPort(),
            org.dmp.runtime.OperatorToken.of("test-operator-token"),
            Duration.ofSeconds(2),
            4,
            new EdgeMetrics());
    TaxonomyHitAnswers answers =
        new TaxonomyHitAnswers(
            () -> taxonomy, Optional.of(questions), Clock.fixed(NOW, ZoneOffset.UTC));
    VisitEvent event =
        VisitEvent.newBuilder()
            .setEventId("e-1")
            .setVisitorId("123")
            .setTime(NOW)
            .setSource(EventSource.EDGE)
            .setRegion(7)
            .build();

    Qualification qualification =
        MainThread.await(answers.qualify(event, new LogPosition(0, 0)), WAIT, "qualify");

    assertThat(qualification.segments()).containsExactly(5002L);
    assertThat(qualification.dests())
        .extracting(Qualification.UrlDestination::destinationId)
        .containsExactly(9004L);
    assertThat(qualification.dests())
        .extracting(Qualification.UrlDestination::url)
        .singleElement()
        .asString()
        .matches(
            "https://px\\.example/p\\?u=123&region=7&t=" + NOW.toEpochMilli() + "&r=[1-9][0-9]*");
    assertThat(qualification.stuff())
        .extracting(cookie -> cookie.name() + "=" + cookie.value())
        .containsExactly("aam=seg=shoes");
  }
}
