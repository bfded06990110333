package org.dmp.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.dmp.schemas.topics.TopicRole;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.Taxonomy;
import org.dmp.taxonomy.TaxonomyException;
import org.dmp.taxonomy.TaxonomyFile;
import org.dmp.taxonomy.TaxonomyPublisher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "taxonomy",
    description = "Checks a taxonomy file, or publishes it to the taxonomy topic.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {TaxonomyCommand.Validate.class, TaxonomyCommand.Apply.class})
final class TaxonomyCommand {
  private TaxonomyCommand() {}

  @Command(
      name = "validate",
      description =
          "Checks FILE and reports every problem with its JSON path; exits 1 if there is any.")
  static final class Validate implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The taxonomy file (JSON, see DESIGN.md).")
    private Path file;

    @Override
    public Integer call() {
      return read(spec, file) == null ? 1 : 0;
    }
  }

  @Command(
      name = "apply",
      description = {
        "Checks FILE, then publishes it to the taxonomy topic as one transaction:",
        "items it no longer holds are deleted, and every reader switches to it while running."
      })
  static final class Apply implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The taxonomy file (JSON, see DESIGN.md).")
    private Path file;

    @Mixin private KafkaBootstrap kafka;

    @Override
    public Integer call() throws Exception {
      Taxonomy taxonomy = read(spec, file);
      if (taxonomy == null) {
        return 1;
      }
      Topics topics = TopicsCommand.configured(System.getenv());
      TopicsCommand.createMissing(topics, kafka.clients());
      TaxonomyPublisher.Applied applied =
          TaxonomyPublisher.apply(
              kafka.clients(),
              topics.taxonomy(),
              taxonomy,
              file.getFileName().toString(),
              Clock.systemUTC());
      spec.commandLine()
          .getOut()
          .println(
              "Applied "
                  + file
                  + " as revision "
                  + applied.revision()
                  + " of "
                  + topics.name(TopicRole.TAXONOMY)
                  + ": "
                  + applied.items()
                  + " items"
                  + (applied.removed().isEmpty() ? "" : ", removed " + applied.removed()));
      return 0;
    }
  }

  /** The taxonomy in {@code file}, or null after printing every problem. */
  private static Taxonomy read(CommandSpec spec, Path file) {
    try {
      Taxonomy taxonomy = TaxonomyFile.read(file);
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          file
              + " is valid: "
              + taxonomy.dataSources().size()
              + " data sources, "
              + taxonomy.traits().size()
              + " traits, "
              + taxonomy.segments().size()
              + " segments, "
              + taxonomy.destinations().size()
              + " destinations");
      out.flush();
      return taxonomy;
    } catch (TaxonomyException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return null;
    }
  }
}
