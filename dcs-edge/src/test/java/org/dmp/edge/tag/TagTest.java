package org.dmp.edge.tag;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.dmp.edge.idservice.IdServiceHandler;
import org.dmp.edge.optout.OptOutHandler;
import org.junit.jupiter.api.Test;

/** The tag stays small, and calls only endpoints the edge has. */
class TagTest {
  @Test
  void theTagIsUnderFiveKilobytesAsWrittenAndCallsTheEdgesEndpoints() throws IOException {
    byte[] tag;
    try (InputStream in = TagTest.class.getClassLoader().getResourceAsStream("dmp.js")) {
      assertThat(in).isNotNull();
      tag = in.readAllBytes();
    }
    assertThat(tag.length).as("bytes, comments and all; no minifier needed").isLessThan(5 * 1024);
    String source = new String(tag, StandardCharsets.UTF_8);
    assertThat(source)
        .contains("'/event?")
        .contains("'" + IdServiceHandler.ID_PATH + "?")
        .contains("'" + OptOutHandler.PATH + "?")
        .contains("/dmp\\.js");
    assertThat(TagHandler.PATH).isEqualTo("/dmp.js");
  }
}
