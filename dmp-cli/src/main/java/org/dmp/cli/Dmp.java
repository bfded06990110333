package org.dmp.cli;

import java.util.function.Consumer;
import org.dmp.cli.bench.BenchCommand;
import org.dmp.cli.privacy.PrivacyCommand;
import org.dmp.cli.replay.ReplayCommand;
import org.dmp.console.ConsoleMain;
import org.dmp.edge.EdgeMain;
import org.dmp.inbound.service.InboundMain;
import org.dmp.qualifier.QualifierMain;
import org.dmp.sync.PartnerSyncMain;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * The {@code dmp} command: the one entry point of the platform for users, docs, tests and
 * benchmarks.
 */
@Command(
    name = "dmp",
    description = "Kafka-native audience data platform.",
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = Dmp.ManifestVersion.class,
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
      CommandLine.HelpCommand.class,
      DemoCommand.class,
      BrokerCommand.class,
      TailCommand.class,
      TopicsCommand.class,
      TaxonomyCommand.class,
      PrivacyCommand.class,
      DeliveriesCommand.class,
      DeadLettersCommand.class,
      ReplayCommand.class,
      IngestCommand.class,
      BenchCommand.class
    })
public final class Dmp {
  private Dmp() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command tree, with option defaults from dmp-cli.properties and DMP_ variables. */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new Dmp());
    addService(
        commandLine,
        "edge",
        "Runs the DCS edge against the broker named by --bootstrap or DMP_KAFKA_BOOTSTRAP.",
        EdgeMain::main);
    addService(
        commandLine,
        "qualifier",
        "Runs the qualifier against the broker named by --bootstrap or DMP_KAFKA_BOOTSTRAP.",
        QualifierMain::main);
    addService(
        commandLine,
        "partner-sync",
        "Runs partner-sync against the broker named by --bootstrap or DMP_KAFKA_BOOTSTRAP.",
        PartnerSyncMain::main);
    addService(
        commandLine,
        "inbound",
        "Runs the inbound service (inbox and uploads) against the broker named by --bootstrap or DMP_KAFKA_BOOTSTRAP.",
        InboundMain::main);
    addService(
        commandLine,
        "console",
        "Runs the console and the taxonomy API against the broker named by --bootstrap or DMP_KAFKA_BOOTSTRAP.",
        ConsoleMain::main);
    commandLine.setDefaultValueProvider(CliDefaults.fromEnvironment(System.getenv()));
    commandLine.setExecutionStrategy(new CommandLine.RunLast());
    return commandLine;
  }

  private static void addService(
      CommandLine commandLine, String name, String description, Consumer<String[]> main) {
    CommandLine service = new CommandLine(new ServiceCommand(main));
    service
        .getCommandSpec()
        .usageMessage()
        .description(
            description,
            "Every setting of its properties file is a flag: --key=value (e.g. --bootstrap=HOST:PORT, --port=N).");
    commandLine.addSubcommand(name, service);
  }

  /** The version Maven wrote into the jar's manifest. */
  static final class ManifestVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Dmp.class.getPackage().getImplementationVersion();
      return new String[] {"dmp " + (version == null ? "(unpackaged build)" : version)};
    }
  }

  /** Hands every argument to a service's own main, which reads them as settings. */
  @Command(mixinStandardHelpOptions = false)
  static final class ServiceCommand implements Runnable {
    private final Consumer<String[]> main;

    @CommandLine.Unmatched private java.util.List<String> settings = new java.util.ArrayList<>();

    ServiceCommand(Consumer<String[]> main) {
      this.main = main;
    }

    /**
     * The service's main returns once the service serves; the command then waits until the process
     * is asked to stop, which the service's own shutdown hook handles, instead of returning to
     * {@link Dmp#main}, whose exit would stop the service it just started.
     */
    @Override
    public void run() {
      Shutdown shutdown = new Shutdown();
      main.accept(settings.toArray(String[]::new));
      try {
        shutdown.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
