package org.dmp.inbound.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dmp.config.ConfigReader;
import org.dmp.config.Settings;
import org.dmp.inbound.format.InboundFileName;
import org.dmp.inbound.format.InboundLineException;
import org.dmp.inbound.format.LineParser;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.CompiledTaxonomy;
import org.dmp.taxonomy.TaxonomyFile;
import org.junit.jupiter.api.Test;

/** The reading thread hands on every line it read, then whatever stopped it. */
class ParsedLinesTest {
  private static final InboundFileName FILE = InboundFileName.parse("ftp_dpm_21_1764547200.sync");
  private static final String LINES = "crm-1\td_sid=201\nno tab\ncrm-3\td_sid=201\n";

  @Test
  void aBrokenReadComesAfterTheLinesReadBeforeIt() throws Exception {
    List<ParsedLines.Parsed> read = new ArrayList<>();
    try (ParsedLines lines = start(new FailingAfter(LINES, new IOException("unexpected end")))) {
      assertThatThrownBy(() -> drain(lines, read))
          .isInstanceOf(IOException.class)
          .hasMessage("unexpected end");
    }
    assertThat(read).hasSize(3);
    assertThat(read.get(0).orThrow().userId()).isEqualTo("crm-1");
    assertThatThrownBy(() -> read.get(1).orThrow())
        .isInstanceOf(InboundLineException.class)
        .hasMessage("no TAB between the user id and the traits");
    assertThat(read.get(2).encoded().bytes()).isNotEmpty();
  }

  @Test
  void anErrorOnTheReadingThreadReachesTheIngestionInsteadOfLeavingItWaiting() throws Exception {
    List<ParsedLines.Parsed> read = new ArrayList<>();
    try (ParsedLines lines = start(new FailingAfter(LINES, new OutOfMemoryError("a long line")))) {
      assertThatThrownBy(() -> drain(lines, read))
          .isInstanceOf(OutOfMemoryError.class)
          .hasMessage("a long line");
    }
    assertThat(read).hasSize(3);
  }

  private static void drain(ParsedLines lines, List<ParsedLines.Parsed> read) throws IOException {
    for (ParsedLines.Block block = lines.next(); block != null; block = lines.next()) {
      read.addAll(block.lines());
    }
  }

  private static ParsedLines start(Reader reader) {
    CompiledTaxonomy taxonomy =
        new CompiledTaxonomy(
            TaxonomyFile.parse(
                "inbound",
                """
                {"dataSources": [{"id": 21, "name": "CRM"}],
                 "traits": [{"id": 201, "name": "Gold", "dataSource": 21, "type": "onboarded"}]}
                """));
    Topics topics =
        Topics.read(
            new ConfigReader(
                Settings.load("test", List.of(Topics.DEFAULTS), Map.of(), List.of(), Map.of())));
    return ParsedLines.start(
        new BufferedReader(reader),
        () -> 0,
        new LineParser(FILE, taxonomy),
        new Chunks(FILE, "0123456789abcdef", false, topics, "f", 6));
  }

  /** Gives the text, then fails with the throwable. */
  private static final class FailingAfter extends Reader {
    private final String text;
    private final Throwable failure;
    private int at;

    FailingAfter(String text, Throwable failure) {
      this.text = text;
      this.failure = failure;
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
      if (at < text.length()) {
        int count = Math.min(length, text.length() - at);
        text.getChars(at, at + count, buffer, offset);
        at += count;
        return count;
      }
      if (failure instanceof IOException broken) {
        throw broken;
      }
      throw (Error) failure;
    }

    @Override
    public void close() {}
  }
}
