package org.dmp.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.dmp.avro.DeadLetter;
import org.dmp.runtime.kafka.DeadLetters;
import org.dmp.schemas.topics.Topic;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Dead letters: listed from their topic, and sent again through partner sync. */
@Command(
    name = "deadletters",
    description = "Lists the dead letters (deliveries given up on) and sends them again.",
    subcommands = {DeadLettersCommand.ListLetters.class, DeadLettersCommand.Resend.class})
final class DeadLettersCommand {
  private static final Duration READ_LIMIT = Duration.ofMinutes(5);
  private static final Duration RESEND_LIMIT = Duration.ofMinutes(5);

  private DeadLettersCommand() {}

  private static List<DeadLetters.Letter> read(
      CommandSpec spec, KafkaBootstrap kafka, Optional<Long> destination) {
    Topic<String, DeadLetter> topic = TopicsCommand.configured(System.getenv()).deadLetters();
    return DeadLetters.read(
            kafka.clients(),
            topic,
            letter ->
                destination.isEmpty() || destination.get() == letter.letter().getDestinationId(),
            READ_LIMIT)
        .orElseThrow(
            () ->
                new ParameterException(
                    spec.commandLine(), "no topic " + topic.name() + " at " + kafka.servers()))
        .letters();
  }

  @Command(
      name = "list",
      description =
          "Lists the dead letters, newest first, one JSON object per line: its position"
              + " (<partition>:<offset>, what resend takes), destination, idempotency key, reason,"
              + " attempts and changes.")
  static final class ListLetters implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Option(
        names = "--destination",
        paramLabel = "ID",
        description = "Only this destination's letters.")
    private Long destination;

    @Mixin private KafkaBootstrap kafka;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      read(spec, kafka, Optional.ofNullable(destination))
          .forEach(letter -> out.println(letter.toJson().encode()));
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "resend",
      description = {
        "Sends dead letters again through partner sync, which holds the destinations' secrets: each",
        "under its original idempotency key with the body it had, so a partner that saw it before",
        "drops it as a repeat. Prints what became of each letter, one JSON object per line; exits 1",
        "unless every one was delivered. The operator token is read from --operator-token-file, or",
        "else from DMP_OPERATOR_TOKEN."
      })
  static final class Resend implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Option(
        names = "--partner-sync",
        required = true,
        paramLabel = "URL",
        description = "A partner sync instance, for example http://127.0.0.1:8082.")
    private String partnerSync;

    @Option(
        names = "--operator-token-file",
        paramLabel = "FILE",
        description = "A file holding partner sync's operator token (default: DMP_OPERATOR_TOKEN).")
    private Path tokenFile;

    static final class Which {
      @Option(names = "--all", description = "Every dead letter.")
      boolean all;

      @Option(
          names = "--destination",
          paramLabel = "ID",
          description = "Every letter of one destination.")
      Long destination;

      @Parameters(paramLabel = "POSITION", description = "Letters by position, as listed: 0:12.")
      List<String> positions;
    }

    @ArgGroup(multiplicity = "1")
    private Which which;

    @Mixin private KafkaBootstrap kafka;

    @Override
    public Integer call() throws Exception {
      List<String> positions = new ArrayList<>();
      if (which.positions != null) {
        for (String position : which.positions) {
          try {
            positions.add(DeadLetters.Position.parse(position).toString());
          } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
          }
        }
      } else {
        read(spec, kafka, Optional.ofNullable(which.destination))
            .forEach(letter -> positions.add(letter.position().toString()));
      }
      PrintWriter out = spec.commandLine().getOut();
      if (positions.isEmpty()) {
        out.println("No dead letters to send again.");
        out.flush();
        return 0;
      }
      String token = token();
      URI uri = URI.create(partnerSync.replaceAll("/+$", "") + "/deadletters/resend");
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(uri)
                      .timeout(RESEND_LIMIT)
                      .header("Authorization", "Bearer " + token)
                      .header("Content-Type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              new JsonObject().put("letters", new JsonArray(positions)).encode()))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        spec.commandLine()
            .getErr()
            .printf("%s answered %d: %s%n", uri, response.statusCode(), response.body());
        return 1;
      }
      JsonArray answers = new JsonArray(response.body());
      int delivered = 0;
      for (int i = 0; i < answers.size(); i++) {
        JsonObject answer = answers.getJsonObject(i);
        out.println(answer.encode());
        if ("DELIVERED".equals(answer.getString("outcome"))) {
          delivered++;
        }
      }
      out.printf(
          "%d of %d dead letters delivered; the others stay on the topic.%n",
          delivered, answers.size());
      out.flush();
      return delivered == answers.size() ? 0 : 1;
    }

    private String token() {
      String token;
      if (tokenFile != null) {
        try {
          token = Files.readString(tokenFile).trim();
        } catch (IOException e) {
          throw new ParameterException(
              spec.commandLine(), "--operator-token-file " + tokenFile + ": " + e.getMessage());
        }
      } else {
        token = Optional.ofNullable(System.getenv("DMP_OPERATOR_TOKEN")).orElse("").trim();
      }
      if (token.isEmpty()) {
        throw new ParameterException(
            spec.commandLine(),
            "partner sync's operator token: give --operator-token-file or set DMP_OPERATOR_TOKEN");
      }
      return token;
    }
  }
}
