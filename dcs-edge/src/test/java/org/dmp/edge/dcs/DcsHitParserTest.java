package org.dmp.edge.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.dmp.avro.PartnerId;
import org.dmp.edge.http.CallErrors;
import org.dmp.edge.http.Form;
import org.dmp.edge.http.FormDecoder;
import org.dmp.edge.http.InvalidHit;
import org.dmp.edge.identity.DeclaredIds;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.DataSources;
import org.dmp.taxonomy.TaxonomyFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DcsHitParserTest {
  private final Parser parser = new Parser();

  private static final String VISITOR = "42";

  /** Data sources with integration codes, as the mobile SDKs' declared ids name them. */
  private static final DataSources DATA_SOURCES =
      new CompiledTaxonomy(
              TaxonomyFile.parse(
                  "test.json",
                  """
                  {"dataSources": [
                    {"id": 20915, "name": "Ad ids", "integrationCode": "DSID_20915"},
                    {"id": 30001, "name": "CRM", "integrationCode": "crm_id"},
                    {"id": 4, "name": "Other ECIDs", "integrationCode": "ECID"}]}
                  """))
          .dataSources();

  /** Decodes as the edge's form step does, then parses. */
  private static final class Parser {
    private final FormDecoder decoder = new FormDecoder(1000, 255);
    private CallErrors errors = new CallErrors();

    DcsHit parse(String query) {
      return parse(new Form(FormDecoder.merged(decoder.decode(query))));
    }

    DcsHit parse(byte[] body) {
      return parse(new Form(FormDecoder.merged(decoder.decode(body))));
    }

    private DcsHit parse(Form form) {
      errors = new CallErrors();
      return DcsHitParser.parse(form, DATA_SOURCES, VISITOR, errors);
    }
  }

  @Test
  void sortsKeysByPrefixAndSplitsCommaSeparatedValues() {
    DcsHit hit =
        parser.parse(
            "c_color=red,blue&category=shoes&d_ptfm=ios&p_income=90000&h_referer=spoofed&c_color=green");

    assertThat(hit.signals())
        .containsExactly(
            Map.entry("c_color", List.of("red", "blue", "green")),
            Map.entry("category", List.of("shoes")),
            Map.entry("d_ptfm", List.of("ios")));
    assertThat(hit.privateSignals()).containsExactly(Map.entry("p_income", List.of("90000")));
    assertThat(hit.httpAttributes()).containsExactly(Map.entry("h_referer", "spoofed"));
    assertThat(hit.answer()).isEqualTo(DcsHit.AnswerOptions.PIXEL);
  }

  @Test
  void whatAdobesClientsAddToSteerACallIsNotASignal() {
    // The keys DIL 9.x, VisitorAPI 5.x and the mobile SDKs add besides the tag's own.
    DcsHit hit =
        parser.parse(
            "d_mid=12345567&d_blob=blobValue&dcs_region=9&d_orgid=testOrg@AdobeOrg&d_ptfm=ios"
                + "&d_nsid=0&d_ld=_ts%3D1700000000000&d_jsonv=1&d_dil_ver=9.1&_ts=1700000000000"
                + "&d_visid_ver=5.0.1&d_fieldgroup=MC&d_ver=2&d_coop_unsafe=1&c_trait=b");

    assertThat(hit.signals()).containsOnlyKeys("d_ptfm", "c_trait");
  }

  @Test
  void aPixelRealizesAndRemovesTraitsByTheirIds() {
    DcsHit hit = parser.parse("d_sid=101,102&d_sid=103&d_unsid=201");

    assertThat(hit.realizedTraits()).containsExactly(101L, 102L, 103L);
    assertThat(hit.removedTraits()).containsExactly(201L);
    assertThat(hit.signals()).isEmpty();
  }

  @Test
  void theIdServicesIndexedCallbackNamesPass() {
    assertThat(parser.parse("d_cb=s_c_il%5B0%5D._setAudienceManagerFields").answer().callback())
        .contains("s_c_il[0]._setAudienceManagerFields");
  }

  @Test
  void anEscapedCommaStaysInsideItsValueAndPlusIsASpace() {
    DcsHit hit = parser.parse("c_title=a%2Cb+c,d");

    assertThat(hit.signals()).containsEntry("c_title", List.of("a,b c", "d"));
  }

  @Test
  void readsThePlatformKeys() {
    DcsHit hit =
        parser.parse(
            "d_uuid=123&d_cid=20001%01abc&d_cid=20002%01xyz&d_rtbd=json&d_cb=aam.cb_1&d_cts=2&d_dst=1&d_tdpid=7");

    assertThat(hit.partnerIds())
        .containsExactly(new PartnerId(20001L, "abc"), new PartnerId(20002L, "xyz"));
    assertThat(hit.answer())
        .isEqualTo(new DcsHit.AnswerOptions(true, java.util.Optional.of("aam.cb_1"), true, true));
    assertThat(hit.targetDataSourceId()).contains(7L);
    assertThat(hit.signals()).isEmpty();
  }

  @Test
  void declaredIdsInEveryFormBecomePartnerIdsNotSignals() {
    DcsHit hit =
        parser.parse(
            "d_cid_ic=DSID_20915%01test_ad_id%011&d_cid_ic=crm_id%01c-77&d_cid=20002%01xyz%012"
                + "&d_dpid=20003&d_dpuuid=u3&d_mid=99&d_tdpid_ic=crm_id&d_coppa=1");

    assertThat(hit.partnerIds())
        .containsExactly(
            new PartnerId(20002L, "xyz"),
            new PartnerId(20915L, "test_ad_id"),
            new PartnerId(30001L, "c-77"),
            new PartnerId(20003L, "u3"),
            new PartnerId(4L, "99"));
    assertThat(hit.targetDataSourceId()).contains(30001L);
    assertThat(hit.signals()).isEmpty();
    assertThat(parser.errors.all()).isEmpty();
  }

  @Test
  void theVisitorsOwnIdInDmidIsNoPartnerId() {
    assertThat(parser.parse("d_mid=" + VISITOR).partnerIds()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "d_cid=20001              | Invalid customer id 20001: d_cid must be",
        "d_cid=x%01abc            | Invalid customer id x:abc: the data source id is not",
        "d_cid=%01abc             | Invalid customer id :abc: the data source id is not",
        "d_cid=1%01               | Invalid customer id 1:: the id must be 1 to 256 characters",
        "d_cid_ic=crm_id%01%011   | Invalid customer id crm_id::1: the id must be",
        "d_cid_ic=crm_id%01a%017  | Invalid customer id crm_id:a:7: the auth state must be 0, 1 or 2",
        "d_cid_ic=nope%01a        | Invalid customer id nope:a: no data source has the integration code 'nope'",
        "d_dpid=20003             | Invalid customer id d_dpid=20003&d_dpuuid=: d_dpuuid must be",
        "d_dpuuid=u3              | Invalid customer id d_dpid=&d_dpuuid=u3: d_dpid must be"
      })
  void aBadDeclaredIdIsReportedAndTheRestOfTheHitKept(String declared, String message) {
    DcsHit hit = parser.parse(declared + "&d_cid=20002%01kept&c_a=1");

    assertThat(hit.partnerIds()).containsExactly(new PartnerId(20002L, "kept"));
    assertThat(hit.signals()).containsOnlyKeys("c_a");
    assertThat(parser.errors.all())
        .singleElement()
        .satisfies(
            error -> {
              assertThat(error.code()).isEqualTo(CallErrors.INVALID_CUSTOMER_ID);
              assertThat(error.msg()).startsWith(message);
            });
  }

  /** Partner ids are written into partners' files one per line, tab-separated. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "d_cid=1%01a%0Ab",
        "d_cid=1%01a%20b",
        "d_cid=1%01a%09b",
        "d_dpid=1&d_dpuuid=a%0Db"
      })
  void aPartnerIdWithWhitespaceOrAControlCharacterIsRefused(String declared) {
    DcsHit hit = parser.parse(declared + "&c_a=1");

    assertThat(hit.partnerIds()).isEmpty();
    assertThat(parser.errors.all())
        .singleElement()
        .satisfies(
            error -> {
              assertThat(error.code()).isEqualTo(CallErrors.INVALID_CUSTOMER_ID);
              assertThat(error.msg())
                  .contains("must be 1 to 256 characters without whitespace or control characters");
            });
  }

  @Test
  void aSecondIdForTheSameDataSourceInOneCallIsReportedAndLeftOut() {
    DcsHit hit = parser.parse("d_cid=30001%01first&d_cid_ic=crm_id%01second&d_cid=30001%01first");

    assertThat(hit.partnerIds()).containsExactly(new PartnerId(30001L, "first"));
    assertThat(parser.errors.all())
        .singleElement()
        .satisfies(
            error ->
                assertThat(error.msg())
                    .isEqualTo(
                        "Invalid customer id crm_id:second: the call already declared another id"
                            + " for data source 30001"));
  }

  @Test
  void declaredIdsPastTheLimitAreDiscardedAndReported() {
    StringBuilder query = new StringBuilder("c_a=1");
    for (int i = 1; i <= 12; i++) {
      query.append("&d_cid=").append(20000 + i).append("%01u").append(i);
    }

    DcsHit hit = parser.parse(query.toString());

    assertThat(hit.partnerIds()).hasSize(DeclaredIds.MAX_PER_CALL);
    assertThat(hit.partnerIds().get(0)).isEqualTo(new PartnerId(20001L, "u1"));
    assertThat(parser.errors.all())
        .extracting(CallErrors.CallError::code)
        .containsExactly(CallErrors.TOO_MANY_CUSTOMER_IDS);
  }

  @Test
  void aCallbackAloneAsksForJson() {
    assertThat(parser.parse("d_cb=cb").answer().json()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "c_a=%zz                 | malformed percent-encoding in the value of 'c_a'",
        "c_a=%4                  | malformed percent-encoding in the value of 'c_a'",
        "c_%=1                   | malformed percent-encoding in the key",
        "c_a=%C3%28              | the value of 'c_a' is not valid UTF-8 once percent-decoded",
        "%FF=1                   | the key is not valid UTF-8 once percent-decoded",
        "=1                      | a parameter has an empty key",
        "d_cb=alert(1)           | d_cb must be a JavaScript function name",
        "d_cb=a..b               | d_cb must be a JavaScript function name",
        "d_rtbd=xml              | d_rtbd must be 'json', was 'xml'",
        "d_cts=3                 | d_cts must be 1 or 2 (answer with trait and segment ids), was '3'",
        "d_cb=s_c_il[0](1)       | d_cb must be a JavaScript function name",
        "d_sid=12,x              | d_sid must list trait ids (positive whole numbers), was 'x'",
        "d_unsid=-3              | d_unsid must list trait ids (positive whole numbers), was '-3'",
        "d_cb=s_c_il[x]          | d_cb must be a JavaScript function name",
        "d_cb=a];alert(1)//      | d_cb must be a JavaScript function name",
        "d_dst=yes               | d_dst must be 0 or 1, was 'yes'",
        "d_tdpid=-1              | d_tdpid must be a data source id",
        "d_tdpid=07              | d_tdpid must be a data source id",
        "d_tdpid=1234567890123456789 | d_tdpid must be a data source id",
        "d_tdpid_ic=nobody       | d_tdpid_ic 'nobody' is no data source's integration code",
        "d_tdpid=7&d_tdpid_ic=crm_id | give d_tdpid or d_tdpid_ic, not both"
      })
  void refusesBadInputNamingTheProblem(String query, String reason) {
    assertThatThrownBy(() -> parser.parse(query))
        .isInstanceOf(InvalidHit.class)
        .hasMessageStartingWith(reason);
  }

  @Test
  void refusesTooManyKeysAndOverlongKeys() {
    String manyKeys = String.join("&", java.util.Collections.nCopies(1001, "c_a=1"));
    assertThatThrownBy(() -> parser.parse(manyKeys)).hasMessage("more than 1000 keys");
    assertThat(
            parser
                .parse(String.join("&", java.util.Collections.nCopies(1000, "c_a=1")))
                .signals()
                .get("c_a"))
        .hasSize(1000);

    assertThatThrownBy(() -> parser.parse("c_" + "k".repeat(254) + "=1"))
        .hasMessageEndingWith("is longer than 255 characters");
  }

  @Test
  void refusesCharactersThatAreNotBytes() {
    assertThatThrownBy(() -> parser.parse("c_a=\u20ac")).isInstanceOf(InvalidHit.class);
    assertThat(parser.parse("c_a=%E2%82%AC").signals()).containsEntry("c_a", List.of("\u20ac"));
  }

  @Property(tries = 3000)
  void anyBytesEitherParseOrAreRefusedCleanly(@ForAll("formish") byte[] raw) {
    try {
      DcsHit hit = parser.parse(raw);
      assertThat(hit.signals().size() + hit.privateSignals().size()).isLessThanOrEqualTo(1000);
    } catch (InvalidHit refused) {
      assertThat(refused.getMessage()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<byte[]> formish() {
    Arbitrary<Byte> anyByte = Arbitraries.bytes();
    byte[] alphabet = "%&=,+_cdp0123456789abcfF%C3%01".getBytes(StandardCharsets.ISO_8859_1);
    Arbitrary<Byte> formByte =
        Arbitraries.integers().between(0, alphabet.length - 1).map(i -> alphabet[i]);
    return Arbitraries.oneOf(anyByte, formByte, formByte).array(byte[].class).ofMaxSize(300);
  }
}
