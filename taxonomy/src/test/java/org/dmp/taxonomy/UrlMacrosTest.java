package org.dmp.taxonomy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.dmp.avro.PartnerId;
import org.junit.jupiter.api.Test;

class UrlMacrosTest {
  private static final UrlMacros.Values VALUES =
      UrlMacros.Values.of(
          "42",
          7,
          "http://shop.example/shoes?q=1",
          List.of(new PartnerId(20001L, "x&aam=other"), new PartnerId(20001L, "second")),
          "1",
          "CO abc=",
          1_700_000_000_000L);

  @Test
  void everyMacroInAnyCaseAndWhatTheCallSentEncoded() {
    assertThat(
            UrlMacros.expand(
                "%HTTP_PROTO%://p.example/s?u=%did%&m=%Mcid%&d=${DD_UUID}&r=%region%&t=%timestamp%"
                    + "&a=%alias%&p=%dpid_20001%&q=%dpid_9%&g=${GDPR}&c=${GDPR_CONSENT_755}",
                VALUES, "shoes"))
        .isEqualTo(
            "http://p.example/s?u=42&m=42&d=42&r=7&t=1700000000000&a=shoes"
                + "&p=x%26aam%3Dother&q=&g=1&c=CO%20abc%3D");
  }

  @Test
  void aCacheBusterDiffersFromCallToCallAndAnUnknownPageIsHttps() {
    UrlMacros.Values noReferer = UrlMacros.Values.of("42", 0, null, List.of(), "", "", 0);

    assertThat(UrlMacros.expand("%http_proto%://x/%rnd%", noReferer, ""))
        .startsWith("https://x/")
        .isNotEqualTo(UrlMacros.expand("%http_proto%://x/%rnd%", noReferer, ""));
  }
}
