using System.Globalization;
using System.Runtime.InteropServices;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Benchmarks;

/// <summary>
/// The migration benchmark: starts the real dashboard with its embedded cluster, loads keys and times moving slots
/// there and back through the REST API, raw <c>CLUSTER MIGRATESLOTS</c> and <c>valkey-cli --cluster reshard</c>.
/// </summary>
internal static class Program
{
    private const string Usage = """
        Usage: dotnet run -c Release --project tests/ValkeyDashboard.Benchmarks -- [--keys N] [--slots N] [--rounds N]
               dotnet run -c Release --project tests/ValkeyDashboard.Benchmarks -- heatmap [--keys N] [--seconds N]
               dotnet run -c Release --project tests/ValkeyDashboard.Benchmarks -- soak [--keys N] [--migrations N]
               dotnet run -c Release --project tests/ValkeyDashboard.Benchmarks -- plans [--keys N]
               dotnet run -c Release --project tests/ValkeyDashboard.Benchmarks -- planner [--rounds N]
               dotnet run -c Release --project tests/ValkeyDashboard.Benchmarks -- metrics [--keys N] [--rounds N]
               dotnet run -c Release --project tests/ValkeyDashboard.Benchmarks -- history [--keys N] [--seconds N]
               dotnet run -c Release --project tests/ValkeyDashboard.Benchmarks -- probe [--keys N] [--rounds N] [--seconds N]
               dotnet run -c Release --project tests/ValkeyDashboard.Benchmarks -- paper [--rounds N]
               dotnet run -c Release --project tests/ValkeyDashboard.Benchmarks -- idle [--seconds N]

          --keys N     keys of 100 bytes to load (default 1000000; heatmap: 200000)
          --slots N    slots 0..N-1 to move there and back (default 2000)
          --rounds N   rounds of all five methods; the report shows the median (default 4)
          --seconds N  heatmap: length of each measured phase (default 30); history: how long points are recorded under
                       load before they are varied into a day (default 120)
          --migrations N  soak: migrations to run (default 100)
          --load N     migrations: a steady client load of N commands/s (half GET, half SET of loaded keys, through
                       StackExchange.Redis) runs during every measured move; its failed commands are counted per method
                       (default 0: no load, the conditions of the earlier runs)

        heatmap: opens the dashboard in headless Chromium (/usr/bin/chromium) and measures the heat map's frames
        (bytes per refresh against the JSON of GET /api/slots), its drawing time (against drawing every cell with
        fillRect) and the dashboard's CPU with and without a browser, idle and under write load.

        Starts the dashboard on http://127.0.0.1:5097 with an embedded cluster on ports 12700-12705 (+10000),
        all in a temporary folder, and stops everything at the end. Writes artifacts/benchmarks/migrations.md
        (heatmap: artifacts/benchmarks/heatmap.md).

        soak: random migrations back and forth through the REST API under continuous reads and writes; afterwards every
        key must hold its last value, no client command may have failed, and valkey-cli --cluster check must find all
        slots covered and none open (artifacts/benchmarks/soak.md). Default keys: 100000.

        plans: the dashboard's plans against valkey-cli --cluster rebalance --cluster-use-atomic-slot-migration on the
        same data from the same layout: keys skewed, a hot region, a drain, scale out 3 -> 4; imbalance of keys, memory
        and CPU, keys moved, wall time, failed client commands (artifacts/benchmarks/plans.md). Default keys: 400000.

        history: the slot history under 2,000 commands/s: a day of points (recorded, then cycled and varied) stored
        through the dashboard's own store, bytes against the raw per-slot figures; and in headless Chromium the time from
        moving the time slider to the map painted, against pressing Live (artifacts/benchmarks/history.md). Default
        keys: 100000.

        probe: what the migration impact probe costs the cluster: throughput under a saturating GET/SET load with and
        without the dashboard's probe (at its defaults), alternating phases in one run, the probe's ops/s against the
        cluster's, and the nodes' CPU per operation (artifacts/benchmarks/probe.md). Defaults: 100000 keys, 4 rounds,
        10 s per phase.

        planner: the load planner alone on generated 100-primary clusters (no Valkey): time per plan by keys and by CPU
        against the slot-count plan (what valkey-cli computes) of the same cluster (artifacts/benchmarks/planner.md).

        metrics: a 100-node embedded cluster (50 primaries × 1 replica, ports 12700-12799): GET /metrics time, size and
        series count against GET /api/cluster of the same dashboard (artifacts/benchmarks/metrics.md). Default keys:
        100000, rounds: 40.

        paper: "1,000 nodes on paper", no Valkey: the monitor's parsing and snapshot building, the heat-map layers and the
        /api/cluster JSON per poll on generated replies of 6, 200 and 1,000 nodes: CPU per poll and memory
        (artifacts/benchmarks/paper.md). --rounds N: N × 10 measured polls per size (default 4).

        idle: the dashboard's CPU while idle in External mode on clusters formed by valkey-cli: 200 nodes (100 × 1) against
        6 nodes (3 × 1) in the same run, without a browser and with the page open in headless Chromium, each for
        --seconds (default 60) of the dashboard process's CPU time (artifacts/benchmarks/idle.md).
        """;

    public static async Task<int> Main(string[] args)
    {
        if (!BenchmarkOptions.TryParse(args, out var options, out var error))
        {
            await Console.Error.WriteLineAsync(error is null ? Usage : $"{error}\n\n{Usage}");
            return error is null ? 0 : 2;
        }

        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // The first Ctrl+C unwinds the run (which stops the dashboard); a second one ends the process at once.
            if (!cancellation.IsCancellationRequested)
            {
                e.Cancel = true;
                Console.Error.WriteLine("Cancelling: stopping the dashboard and its nodes ...");
                cancellation.Cancel();
            }
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancellation.Cancel();
        });

        try
        {
            if (options.Planner)
            {
                await PlannerBenchmark.RunAsync(options, cancellation.Token);
                return 0;
            }

            if (options.Paper)
            {
                await PaperClusterBenchmark.RunAsync(options, BenchmarkRun.FindRepositoryRoot(), cancellation.Token);
                return 0;
            }

            if (options.Idle)
            {
                await IdleCpuBenchmark.RunAsync(options, BenchmarkRun.FindRepositoryRoot(), cancellation.Token);
                return 0;
            }

            await new BenchmarkRun(options).RunAsync(cancellation.Token);
            return 0;
        }
        catch (Exception) when (cancellation.IsCancellationRequested)
        {
            // Whatever the cancellation broke on the way out (Ctrl+C also reaches the dashboard), the run was cancelled.
            await Console.Error.WriteLineAsync("Benchmark cancelled.");
            return 130;
        }
        catch (BenchmarkFailedException ex)
        {
            await Console.Error.WriteLineAsync($"BENCHMARK FAILED: {ex.Message}");
            return 1;
        }
        catch (Exception ex)
        {
            await Console.Error.WriteLineAsync($"BENCHMARK FAILED: {ex}");
            return 1;
        }
    }
}

/// <summary>The command-line settings of one run.</summary>
/// <param name="Keys">Keys of 100 bytes loaded before measuring.</param>
/// <param name="Slots">Slots 0..Slots-1 are moved there and back.</param>
/// <param name="Rounds">Rounds of all five methods.</param>
/// <param name="Arguments">The arguments as given, for the report.</param>
internal sealed record BenchmarkOptions(int Keys, int Slots, int Rounds, IReadOnlyList<string> Arguments)
{
    /// <summary>What this run measures: the first argument, or the migration methods when it names no mode.</summary>
    public BenchmarkMode Mode { get; init; }

    /// <summary>Measure the heat map (frames, drawing, CPU) instead of migrations.</summary>
    public bool HeatMap => Mode == BenchmarkMode.HeatMap;

    /// <summary>Run the soak instead of measuring.</summary>
    public bool Soak => Mode == BenchmarkMode.Soak;

    /// <summary>Compare plans with valkey-cli rebalance.</summary>
    public bool Plans => Mode == BenchmarkMode.Plans;

    /// <summary>Measure the slot history (bytes a day, time slider paint time).</summary>
    public bool History => Mode == BenchmarkMode.History;

    /// <summary>Time the load planner alone (no cluster).</summary>
    public bool Planner => Mode == BenchmarkMode.Planner;

    /// <summary>Measure /metrics on a 100-node cluster.</summary>
    public bool Metrics => Mode == BenchmarkMode.Metrics;

    /// <summary>Measure what the migration impact probe costs the cluster.</summary>
    public bool Probe => Mode == BenchmarkMode.Probe;

    /// <summary>The monitor's work per poll on generated 1,000-node replies (no Valkey).</summary>
    public bool Paper => Mode == BenchmarkMode.Paper;

    /// <summary>The dashboard's idle CPU on a 200-node cluster against a 6-node one.</summary>
    public bool Idle => Mode == BenchmarkMode.Idle;

    /// <summary>Heat map, history, probe, idle: seconds per measured phase.</summary>
    public int Seconds { get; init; } = 30;

    /// <summary>Soak: migrations to run.</summary>
    public int Migrations { get; init; } = 100;

    /// <summary>Migrations: commands per second of the steady client load during each measured move; 0 for none.</summary>
    public int LoadOpsPerSecond { get; init; }

    public const string RunCommand = "dotnet run -c Release --project tests/ValkeyDashboard.Benchmarks";

    /// <summary>The command that reproduces this run.</summary>
    public string CommandLine => Arguments.Count == 0 ? RunCommand : $"{RunCommand} -- {string.Join(' ', Arguments)}";

    /// <summary>Parses <c>--keys N --slots N --rounds N</c> (also <c>--keys=N</c>). False with a null error: help was asked for.</summary>
    public static bool TryParse(string[] args, out BenchmarkOptions options, out string? error)
    {
        var mode = args.Length > 0 && args[0].All(char.IsLetter) && Enum.TryParse<BenchmarkMode>(args[0], ignoreCase: true, out var named) && named != BenchmarkMode.Migrations
            ? named
            : BenchmarkMode.Migrations;
        var values = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["--keys"] = mode switch
            {
                BenchmarkMode.HeatMap => 200_000,
                BenchmarkMode.Soak or BenchmarkMode.Metrics or BenchmarkMode.History or BenchmarkMode.Probe => 100_000,
                BenchmarkMode.Plans => 400_000,
                _ => 1_000_000,
            },
            ["--slots"] = 2000,
            ["--rounds"] = mode == BenchmarkMode.Metrics ? 40 : 4,
            ["--seconds"] = mode switch { BenchmarkMode.History => 120, BenchmarkMode.Probe => 10, BenchmarkMode.Idle => 60, _ => 30 },
            ["--migrations"] = 100,
            ["--load"] = 0,
        };
        options = new BenchmarkOptions(values["--keys"], values["--slots"], values["--rounds"], args);
        error = null;
        for (var i = mode == BenchmarkMode.Migrations ? 0 : 1; i < args.Length; i++)
        {
            var (name, text) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], null);
            if (name is "-h" or "--help")
            {
                return false;
            }

            if (!values.ContainsKey(name))
            {
                error = $"unknown argument \"{args[i]}\"";
                return false;
            }

            text ??= i + 1 < args.Length ? args[++i] : null;
            if (!int.TryParse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                error = $"{name} needs a whole number of at least 1, got \"{text}\"";
                return false;
            }

            values[name] = value;
        }

        if (values["--slots"] > SlotRange.SlotCount / 3)
        {
            error = $"--slots must be at most {SlotRange.SlotCount / 3}: the slots 0..N-1 must all belong to the first of three primaries";
            return false;
        }

        options = new BenchmarkOptions(values["--keys"], values["--slots"], values["--rounds"], args) { Mode = mode, Seconds = values["--seconds"], Migrations = values["--migrations"], LoadOpsPerSecond = values["--load"] };
        return true;
    }
}

/// <summary>What a benchmark run measures, named by its first argument (<c>heatmap</c>, <c>soak</c>, …).</summary>
internal enum BenchmarkMode
{
    /// <summary>No mode named: the migration methods against each other.</summary>
    Migrations,
    HeatMap,
    Soak,
    Plans,
    Planner,
    Metrics,
    History,
    Probe,
    Paper,
    Idle,
}
