package org.dmp.inbound.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.dmp.avro.DataSource;
import org.dmp.avro.InboundFile;
import org.dmp.avro.InboundIds;
import org.dmp.avro.InboundState;
import org.dmp.inbound.format.InboundFileException;
import org.dmp.inbound.format.InboundFileName;
import org.dmp.inbound.format.InboundLine;
import org.dmp.inbound.format.InboundLineException;
import org.dmp.inbound.format.LineParser;
import org.dmp.runtime.kafka.KafkaClients;
import org.dmp.runtime.kafka.TopicSnapshot;
import org.dmp.schemas.VisitorId;
import org.dmp.schemas.topics.Topics;
import org.dmp.taxonomy.CompiledTaxonomy;

/**
 * Ingests inbound data files into the event log, each exactly once.
 *
 * <p>A file is known by its name and md5. Its lines are published in Kafka transactions, each of
 * which also writes the file's progress to {@code dmp.inbound.files}; so a process killed mid-file
 * and started again reads that progress, skips the lines it covers, and goes on, and no line is
 * applied twice. A file ingested before (done, failed or refused) applies nothing again. Lines go
 * to {@code dmp.inbound} in chunks ({@link Chunks}), for the qualifier to resolve partner ids
 * through the id map and write each line to {@code dmp.visits} as an event.
 */
public final class Ingestion {
  /** The receipt keeps this many problems; the counts keep them all. */
  static final int MOST_ERRORS = 100;

  private static final Duration READ_LIMIT = Duration.ofMinutes(5);

  /** Audience Manager's limit on a compressed inbound file. */
  static final long MOST_GZIP_BYTES = 1L << 30;

  private final KafkaClients kafka;
  private final Topics topics;
  private final Supplier<CompiledTaxonomy> taxonomy;
  private final Clock clock;
  private final int linesPerTransaction;

  /** Told, as reading goes, how far it got. */
  @FunctionalInterface
  public interface Listener {
    void progress(long bytesRead, long bytes, long linesRead);
  }

  /**
   * @param linesPerTransaction how many lines each transaction covers: how much a killed ingestion
   *     reads again without applying it
   */
  public Ingestion(
      KafkaClients kafka,
      Topics topics,
      Supplier<CompiledTaxonomy> taxonomy,
      Clock clock,
      int linesPerTransaction) {
    this.kafka = kafka;
    this.topics = topics;
    this.taxonomy = taxonomy;
    this.clock = clock;
    this.linesPerTransaction = linesPerTransaction;
  }

  /** What came of a file: its receipt, and whether this call applied it or found it done before. */
  public record Outcome(InboundFile receipt, boolean already) {}

  /** Ingests the file, or finds it ingested, and writes its receipt beside it in receipts/. */
  public Outcome ingest(Path file, Listener listener) throws IOException {
    String name = file.getFileName().toString();
    String md5 = md5(file);
    String key = name + "/" + md5;
    try (KafkaProducer<String, byte[]> producer = producer(key)) {
      // A run of this file killed midway is fenced first (its open transaction aborted, or its
      // commit completed), so that the progress read next is the last one that holds.
      producer.initTransactions();
      Optional<InboundFile> before = recorded(key);
      if (before.isPresent() && before.get().getState() != InboundState.INGESTING) {
        return new Outcome(before.get(), true);
      }
      InboundFile receipt;
      try {
        InboundFileName parsed = InboundFileName.parse(name);
        sizeProblem(parsed, Files.size(file), MOST_GZIP_BYTES)
            .ifPresent(
                problem -> {
                  throw new InboundFileException(problem);
                });
        LineParser parser = new LineParser(parsed, taxonomy.get());
        receipt = read(file, key, md5, parsed, parser, before, listener, producer);
      } catch (InboundFileException refused) {
        receipt = start(name, md5, null);
        receipt.setState(InboundState.REFUSED);
        receipt.setDetail(refused.getMessage());
        receipt.setEndedAt(clock.instant());
        producer.beginTransaction();
        record(producer, key, receipt);
        producer.commitTransaction();
      }
      writeReceipt(file, receipt);
      return new Outcome(receipt, false);
    }
  }

  private InboundFile read(
      Path file,
      String key,
      String md5,
      InboundFileName name,
      LineParser parser,
      Optional<InboundFile> before,
      Listener listener,
      KafkaProducer<String, byte[]> producer)
      throws IOException {
    InboundFile receipt = before.orElseGet(() -> start(name.name(), md5, name));
    long resumeAfter = receipt.getLinesRead();
    boolean visitorIds = visitorIds(name.dataSourceId());
    Set<String> synced = visitorIds ? Set.of() : syncedIds(name.dataSourceId());
    List<String> errors = new ArrayList<>(receipt.getErrors());
    UserLines userLines = new UserLines();
    Chunks chunks =
        new Chunks(
            name,
            md5,
            visitorIds,
            topics,
            key,
            producer.partitionsFor(topics.inbound().name()).size());
    long bytes = Files.size(file);
    long linesRead = 0;
    try (CountingStream counted = new CountingStream(Files.newInputStream(file))) {
      producer.beginTransaction();
      long inTransaction = 0;
      try (ParsedLines lines =
          ParsedLines.start(reader(counted, name.gzip()), counted::count, parser, chunks)) {
        for (ParsedLines.Block block = lines.next(); block != null; block = lines.next()) {
          for (ParsedLines.Parsed parsed : block.lines()) {
            linesRead++;
            if (linesRead <= resumeAfter) {
              // Judged again, only so that each user's lines count as in the first pass; the
              // receipt already counts these lines.
              try {
                judge(parsed, name, visitorIds, userLines);
              } catch (InboundLineException rejectedBefore) {
                // Counted before.
              }
              continue;
            }
            receipt.setLinesRead(linesRead);
            try {
              Judged judged = judge(parsed, name, visitorIds, userLines);
              InboundLine line = judged.line();
              chunks.add(parsed.encoded(), producer::send);
              if (judged.usersFirst()) {
                if (visitorIds || synced.contains(line.userId())) {
                  receipt.setUsersMatched(receipt.getUsersMatched() + 1);
                } else {
                  receipt.setUsersUnmatched(receipt.getUsersUnmatched() + 1);
                }
              }
              receipt.setLinesApplied(receipt.getLinesApplied() + 1);
              receipt.setTraitsRealized(receipt.getTraitsRealized() + line.realized().size());
              receipt.setTraitsRemoved(receipt.getTraitsRemoved() + line.removed().size());
              for (List<String> values : line.signals().values()) {
                receipt.setPairs(receipt.getPairs() + values.size());
              }
            } catch (InboundLineException rejected) {
              receipt.setLinesRejected(receipt.getLinesRejected() + 1);
              if (errors.size() < MOST_ERRORS) {
                errors.add("line " + linesRead + ": " + rejected.getMessage());
              }
            }
            receipt.setBytesRead(Math.min(block.bytesRead(), bytes));
            if (++inTransaction >= linesPerTransaction) {
              receipt.setErrors(List.copyOf(errors));
              chunks.flush(producer::send);
              record(producer, key, receipt);
              producer.commitTransaction();
              producer.beginTransaction();
              inTransaction = 0;
              listener.progress(receipt.getBytesRead(), bytes, linesRead);
            }
          }
        }
        receipt.setState(InboundState.DONE);
      } catch (IOException broken) {
        // A corrupt gzip or a truncated file: what was read before stays applied, and says so.
        receipt.setState(InboundState.FAILED);
        receipt.setDetail(
            "reading stopped at byte "
                + counted.count()
                + " of "
                + bytes
                + " after line "
                + receipt.getLinesRead()
                + " (lines 1 to "
                + receipt.getLinesRead()
                + " are applied or rejected as counted): "
                + broken.getMessage());
      }
      receipt.setBytesRead(
          receipt.getState() == InboundState.DONE ? bytes : receipt.getBytesRead());
      receipt.setErrors(List.copyOf(errors));
      receipt.setEndedAt(clock.instant());
      chunks.flush(producer::send);
      record(producer, key, receipt);
      producer.commitTransaction();
      listener.progress(receipt.getBytesRead(), bytes, receipt.getLinesRead());
    }
    return receipt;
  }

  /** A line to apply, and whether it is the first of its user's lines applied in the file. */
  private record Judged(InboundLine line, boolean usersFirst) {}

  /**
   * Whether the line applies, as a function of the file's lines up to it alone, so that a resumed
   * ingestion judges the lines it skips as the first pass did.
   *
   * @throws InboundLineException why it does not
   */
  private static Judged judge(
      ParsedLines.Parsed parsed, InboundFileName name, boolean visitorIds, UserLines userLines) {
    InboundLine line = parsed.orThrow();
    if (visitorIds) {
      VisitorId.problem("the user id", line.userId())
          .ifPresent(
              problem -> {
                throw new InboundLineException(
                    problem + " (data source " + name.dataSourceId() + " sends visitor ids)");
              });
    }
    int userLine = userLines.count(line.userId());
    if (userLine > UserLines.MOST) {
      throw new InboundLineException(
          "more than " + UserLines.MOST + " lines for user " + line.userId() + " in this file");
    }
    return new Judged(line, userLine == 1);
  }

  private void record(KafkaProducer<String, byte[]> producer, String key, InboundFile receipt) {
    producer.send(
        new ProducerRecord<>(
            topics.inboundFiles().name(), key, topics.inboundFiles().values().encode(receipt)));
  }

  private InboundFile start(String name, String md5, InboundFileName parsed) {
    return InboundFile.newBuilder()
        .setName(name)
        .setMd5(md5)
        .setState(InboundState.INGESTING)
        .setDataSourceId(parsed == null ? null : parsed.dataSourceId())
        .setTargetDataSourceId(parsed == null ? null : parsed.traitDataSourceId())
        .setOverwrite(parsed != null && parsed.overwrite())
        .setStartedAt(clock.instant())
        .build();
  }

  private boolean visitorIds(long dataSourceId) {
    return taxonomy.get().source().dataSources().stream()
        .filter(dataSource -> dataSource.getId() == dataSourceId)
        .map(DataSource::getInboundIds)
        .anyMatch(InboundIds.VISITOR::equals);
  }

  /** The partner ids of the data source that the id map holds a visitor for. */
  private Set<String> syncedIds(long dataSourceId) {
    String prefix = dataSourceId + "/";
    Set<String> synced = new java.util.HashSet<>();
    try (var consumer =
        TopicSnapshot.consumer(kafka, new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicSnapshot.read(
          consumer,
          topics.idmap().name(),
          READ_LIMIT,
          record -> {
            if (record.key() == null || !record.key().startsWith(prefix)) {
              return;
            }
            String id = record.key().substring(prefix.length());
            if (record.value() == null) {
              synced.remove(id);
            } else {
              synced.add(id);
            }
          });
    }
    return synced;
  }

  /** The file's latest record, as committed. */
  private Optional<InboundFile> recorded(String key) {
    Map<String, byte[]> latest = new HashMap<>();
    try (var consumer =
        TopicSnapshot.consumer(kafka, new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicSnapshot.read(
          consumer,
          topics.inboundFiles().name(),
          READ_LIMIT,
          record -> {
            if (key.equals(record.key())) {
              latest.put(key, record.value());
            }
          });
    }
    byte[] value = latest.get(key);
    return value == null
        ? Optional.empty()
        : Optional.of(topics.inboundFiles().values().decode(topics.inboundFiles().name(), value));
  }

  private KafkaProducer<String, byte[]> producer(String key) {
    return kafka.producer(
        Map.of(
            ProducerConfig.TRANSACTIONAL_ID_CONFIG,
            "dmp-ingest-" + key,
            ProducerConfig.LINGER_MS_CONFIG,
            20,
            ProducerConfig.BATCH_SIZE_CONFIG,
            256 * 1024),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  /** Why a file of this size is refused, if it is. */
  static Optional<String> sizeProblem(InboundFileName name, long bytes, long mostGzipBytes) {
    return name.gzip() && bytes > mostGzipBytes
        ? Optional.of(
            name.name()
                + " is "
                + bytes
                + " bytes: a compressed inbound file may be at most "
                + mostGzipBytes
                + " (1 GB, Audience Manager's limit); split it")
        : Optional.empty();
  }

  /** Where a file's receipt goes: receipts/ beside it, as JSON named after it. */
  public static Path receiptPath(Path file) {
    return file.toAbsolutePath()
        .getParent()
        .resolve("receipts")
        .resolve(file.getFileName() + ".json");
  }

  private static void writeReceipt(Path file, InboundFile receipt) throws IOException {
    Path path = receiptPath(file);
    Files.createDirectories(path.getParent());
    Path partial = path.resolveSibling(path.getFileName() + ".partial");
    Files.writeString(partial, json(receipt).encodePrettily());
    Files.move(
        partial,
        path,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** A receipt as JSON, for the receipts folder, the CLI and the upload endpoint. */
  public static JsonObject json(InboundFile receipt) {
    return new JsonObject()
        .put("file", receipt.getName())
        .put("md5", receipt.getMd5())
        .put("state", receipt.getState().name())
        .put("dataSource", receipt.getDataSourceId())
        .put("targetDataSource", receipt.getTargetDataSourceId())
        .put("overwrite", receipt.getOverwrite())
        .put("startedAt", receipt.getStartedAt().toString())
        .put("endedAt", receipt.getEndedAt() == null ? null : receipt.getEndedAt().toString())
        .put("bytesRead", receipt.getBytesRead())
        .put("linesRead", receipt.getLinesRead())
        .put("linesApplied", receipt.getLinesApplied())
        .put("linesRejected", receipt.getLinesRejected())
        .put("usersMatched", receipt.getUsersMatched())
        .put("usersNotYetMatched", receipt.getUsersUnmatched())
        .put("traitsRealized", receipt.getTraitsRealized())
        .put("traitsRemoved", receipt.getTraitsRemoved())
        .put("pairs", receipt.getPairs())
        .put("errors", new JsonArray(List.copyOf(receipt.getErrors())))
        .put("detail", receipt.getDetail());
  }

  private static BufferedReader reader(InputStream in, boolean gzip) throws IOException {
    InputStream decompressed = gzip ? new GZIPInputStream(in, 64 * 1024) : in;
    return new BufferedReader(
        new InputStreamReader(
            decompressed,
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)),
        256 * 1024);
  }

  static String md5(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has MD5", e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Counts the bytes read through it: how far into the file, as received, reading got. */
  private static final class CountingStream extends FilterInputStream {
    private long count;

    CountingStream(InputStream in) {
      super(in);
    }

    long count() {
      return count;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int read = super.read(buffer, offset, length);
      if (read > 0) {
        count += read;
      }
      return read;
    }
  }
}
