package org.dmp.cli.bench;

import picocli.CommandLine.Command;

/** {@code dmp bench ...}: benchmarks, each ending with one JSON line of its figures. */
@Command(
    name = "bench",
    description = "Benchmarks; each prints a table and ends with one JSON line.",
    synopsisSubcommandLabel = "BENCHMARK",
    subcommands = {
      EdgeBench.class,
      QualifierBench.class,
      E2eBench.class,
      PipelineBench.class,
      BatchBench.class,
      ReplayBench.class,
      IngestBench.class,
      ChaosBench.class
    })
public final class BenchCommand {}
