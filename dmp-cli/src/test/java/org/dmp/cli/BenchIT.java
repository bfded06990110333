package org.dmp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The benchmark runs end to end and reports its figures; how fast is for the benchmark to say, not
 * a test.
 */
class BenchIT {

  @Test
  void edgeBenchEndsWithItsJsonLineAndReportsTheJsonAnswersApart() {
    TailCommandIT.Run run =
        TailCommandIT.dmp(
            "bench",
            "edge",
            "--seconds",
            "1",
            "--warm-up",
            "1",
            "--connections",
            "16",
            "--answers");

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = run.out().lines().toList();
    JsonObject figures = new JsonObject(lines.get(lines.size() - 1));
    assertThat(figures.fieldNames())
        .contains(
            "baseline_rps", "edge_rps", "ratio", "p50_ms_at_half_load", "p99_ms_at_half_load");
    assertThat(figures.getLong("edge_rps")).isPositive();
    assertThat(run.out()).contains("target").contains("baseline").contains("edge");
    Matcher brokerLog =
        Pattern.compile("broker log in (\\S+) \\((memory|disk)\\)").matcher(run.out());
    assertThat(brokerLog.find()).as(run.out()).isTrue();
    assertThat(figures.getString("broker_storage")).isEqualTo(brokerLog.group(2));
    assertThat(Path.of(brokerLog.group(1)))
        .as("the broker's log is deleted after the run")
        .doesNotExist();
    assertThat(figures.getBoolean("answers")).isTrue();
    assertThat(figures.fieldNames())
        .contains(
            "p99_ms_pixels_at_half_load",
            "fresh_fraction_at_half_load",
            "p50_answer_ms_at_half_load",
            "p99_answer_ms_at_half_load");
    assertThat(figures.getLong("json_answers_at_half_load")).isPositive();
    assertThat(figures.getLong("failed")).isZero();
  }

  @Test
  void pipelineBenchRaisesTheRateStepByStepAndEndsWithItsJsonLine() {
    // A p99 bound no cold start misses: this checks the steps and the accounting, not the speed.
    TailCommandIT.Run run =
        TailCommandIT.dmp(
            "bench",
            "pipeline",
            "--steps",
            "50,100",
            "--seconds",
            "2",
            "--warm-up",
            "0",
            "--drain",
            "30",
            "--max-p99-ms",
            "60000");

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = run.out().lines().toList();
    JsonObject figures = new JsonObject(lines.get(lines.size() - 1));
    assertThat(figures.getLong("max_sustained_eps")).as(run.out()).isEqualTo(100);
    assertThat(figures.fieldNames())
        .contains("p99_e2e_ms_at_max", "fresh_fraction_at_half", "p99_answer_ms_at_half");
    assertThat(figures.getLong("lost")).isZero();
    assertThat(figures.getLong("duplicates")).isZero();
    JsonArray steps = new JsonArray(lines.get(lines.size() - 2));
    assertThat(steps).hasSize(3);
    assertThat(steps.getJsonObject(2).getLong("rate"))
        .as("the step at half the highest")
        .isEqualTo(50);
    assertThat(steps.getJsonObject(1).getLong("delivered")).isEqualTo(200);
  }

  @Test
  void qualifierBenchEndsWithItsJsonLine() {
    TailCommandIT.Run run =
        TailCommandIT.dmp("bench", "qualifier", "--events", "2000", "--visitors", "500");

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = run.out().lines().toList();
    JsonObject figures = new JsonObject(lines.get(lines.size() - 1));
    assertThat(figures.fieldNames()).contains("small_taxonomy_eps", "large_taxonomy_eps", "ratio");
    assertThat(figures.getLong("large_taxonomy_eps")).isPositive();
  }

  @Test
  void replayBenchEndsWithItsJsonLine() {
    TailCommandIT.Run run =
        TailCommandIT.dmp("bench", "replay", "--events", "3000", "--visitors", "500");

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = run.out().lines().toList();
    JsonObject figures = new JsonObject(lines.get(lines.size() - 1));
    assertThat(figures.getLong("records_read")).isGreaterThanOrEqualTo(3000);
    assertThat(figures.getLong("dry_run_eps")).isPositive();
    assertThat(figures.getLong("visitors_compared")).isPositive().isLessThanOrEqualTo(500);
    assertThat(figures.getLong("peak_heap_mb")).isPositive();
  }

  @Test
  void e2eBenchLosesNothingAndEndsWithItsJsonLine() {
    TailCommandIT.Run run =
        TailCommandIT.dmp(
            "bench", "e2e", "--rate", "100", "--seconds", "2", "--warm-up", "1", "--drain", "20");

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = run.out().lines().toList();
    JsonObject figures = new JsonObject(lines.get(lines.size() - 1));
    assertThat(figures.fieldNames())
        .contains(
            "rate",
            "sent",
            "acked",
            "delivered",
            "lost",
            "duplicates",
            "p50_ms",
            "p99_ms",
            "p999_ms");
    assertThat(figures.getLong("sent")).isEqualTo(200);
    assertThat(figures.getLong("acked")).isEqualTo(200);
    assertThat(figures.getLong("delivered")).isEqualTo(200);
    assertThat(figures.getLong("lost")).isZero();
    assertThat(figures.getLong("duplicates")).isZero();
    JsonObject stages = figures.getJsonObject("stages");
    assertThat(stages.fieldNames())
        .as("where delivery time went, read from the services' metrics")
        .containsExactly(
            "edge_acknowledged", "qualifier_processed", "update_read", "partner_acknowledged");
    assertThat(stages.getJsonObject("partner_acknowledged").getDouble("mean_ms"))
        .as("each stage comes after the one before")
        .isGreaterThanOrEqualTo(stages.getJsonObject("edge_acknowledged").getDouble("mean_ms"));
    assertThat(run.out()).contains("stages from the hit, mean/p99 ms: edge_acknowledged");
  }

  @Test
  void batchBenchWritesTheFullFileOfEveryMemberAndEndsWithItsJsonLine() {
    TailCommandIT.Run run =
        TailCommandIT.dmp("bench", "batch", "--members", "20000", "--sort-run", "5000");

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = run.out().lines().toList();
    JsonObject figures = new JsonObject(lines.get(lines.size() - 1));
    assertThat(figures.fieldNames()).contains("members", "seconds", "lines_per_s", "peak_heap_mb");
    assertThat(figures.getLong("members")).isEqualTo(20000);
    assertThat(run.out())
        .containsPattern("cold +20000 ")
        .containsPattern("first +20000 ")
        .containsPattern("next +20000 ");
    assertThat(figures.getLong("cold_lines_per_s")).isPositive();
  }
}
