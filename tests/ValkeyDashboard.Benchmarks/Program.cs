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

          --keys N     keys of 100 bytes to load (default 1000000; heatmap: 200000)
          --slots N    slots 0..N-1 to move there and back (default 2000)
          --rounds N   rounds of all four methods; the report shows the median (default 4)
          --seconds N  heatmap: length of each measured phase (default 30)
          --migrations N  soak: migrations to run (default 100)

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

        planner: the load planner alone on generated 100-primary clusters (no Valkey): time per plan by keys and by CPU
        against the slot-count plan (what valkey-cli computes) of the same cluster (artifacts/benchmarks/planner.md).
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
/// <param name="Rounds">Rounds of all four methods.</param>
/// <param name="Arguments">The arguments as given, for the report.</param>
internal sealed record BenchmarkOptions(int Keys, int Slots, int Rounds, IReadOnlyList<string> Arguments)
{
    /// <summary>Measure the heat map (frames, drawing, CPU) instead of migrations.</summary>
    public bool HeatMap { get; init; }

    /// <summary>Heat map: seconds per measured phase.</summary>
    public int Seconds { get; init; } = 30;

    /// <summary>Run the soak instead of measuring.</summary>
    public bool Soak { get; init; }

    /// <summary>Compare plans with valkey-cli rebalance.</summary>
    public bool Plans { get; init; }

    /// <summary>Time the load planner alone (no cluster).</summary>
    public bool Planner { get; init; }

    /// <summary>Soak: migrations to run.</summary>
    public int Migrations { get; init; } = 100;

    public const string RunCommand = "dotnet run -c Release --project tests/ValkeyDashboard.Benchmarks";

    /// <summary>The command that reproduces this run.</summary>
    public string CommandLine => Arguments.Count == 0 ? RunCommand : $"{RunCommand} -- {string.Join(' ', Arguments)}";

    /// <summary>Parses <c>--keys N --slots N --rounds N</c> (also <c>--keys=N</c>). False with a null error: help was asked for.</summary>
    public static bool TryParse(string[] args, out BenchmarkOptions options, out string? error)
    {
        var heatMap = args.Length > 0 && args[0] == "heatmap";
        var soak = args.Length > 0 && args[0] == "soak";
        var plans = args.Length > 0 && args[0] == "plans";
        var planner = args.Length > 0 && args[0] == "planner";
        var values = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["--keys"] = heatMap ? 200_000 : soak ? 100_000 : plans ? 400_000 : 1_000_000, ["--slots"] = 2000, ["--rounds"] = 4, ["--seconds"] = 30, ["--migrations"] = 100,
        };
        options = new BenchmarkOptions(values["--keys"], values["--slots"], values["--rounds"], args);
        error = null;
        for (var i = heatMap || soak || plans || planner ? 1 : 0; i < args.Length; i++)
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

        options = new BenchmarkOptions(values["--keys"], values["--slots"], values["--rounds"], args) { HeatMap = heatMap, Seconds = values["--seconds"], Soak = soak, Migrations = values["--migrations"], Plans = plans, Planner = planner };
        return true;
    }
}
