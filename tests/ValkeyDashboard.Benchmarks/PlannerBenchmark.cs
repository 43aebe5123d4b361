using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Plans;

namespace ValkeyDashboard.Benchmarks;

/// <summary>
/// The load planner alone, on generated clusters of 100 primaries and 16,384 slots (no Valkey): the time of a plan by
/// keys (skewed), by CPU (a hot region) and a drain, against the slot-count plan of the same cluster (what valkey-cli
/// computes, here with the same planner), in one run. Target: under 1 s per plan.
/// </summary>
internal static class PlannerBenchmark
{
    private const int Primaries = 100;

    public static async Task RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var rounds = Math.Max(3, options.Rounds);
        var cases = new (string Name, PlanMetric Metric, PlanKind Kind)[]
        {
            ("slot counts, one empty primary (the peer: what valkey-cli balances)", PlanMetric.Slots, PlanKind.Rebalance),
            ("keys skewed across slots, one empty primary", PlanMetric.Keys, PlanKind.Rebalance),
            ("CPU with a hot region", PlanMetric.Cpu, PlanKind.Rebalance),
            ("drain of 10 primaries by keys", PlanMetric.Keys, PlanKind.Drain),
        };
        var rows = new List<(string Name, double MedianMs, double MaxMs, int Moves, double Before, double After)>();
        foreach (var (name, metric, kind) in cases)
        {
            var (input, goal) = Generate(metric, kind);
            LoadPlanner.Plan(input, goal);
            var times = new List<double>();
            PlannerResult? result = null;
            for (var round = 0; round < rounds; round++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var clock = Stopwatch.StartNew();
                result = LoadPlanner.Plan(input, goal);
                times.Add(clock.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            rows.Add((name, times[times.Count / 2], times[^1], result!.Moves.Length, result.ImbalanceBefore, result.ImbalanceAfter));
            Console.WriteLine($"{name}: median {times[times.Count / 2]:0.0} ms, {result.Moves.Length} moves, imbalance {result.ImbalanceBefore:0.000} → {result.ImbalanceAfter:0.000}");
        }

        var peer = rows[0].MedianMs;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### Result ({DateTimeOffset.UtcNow:yyyy-MM-dd})");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"{Primaries} primaries, 16,384 slots with keys (and CPU), threshold 2%, {rounds} plans per case after one warm-up.");
        text.AppendLine();
        text.AppendLine("| Plan | Median (ms) | Slowest (ms) | Over the slot-count plan | Moves | Imbalance before → after | Under 1 s |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | --- | --- |");
        foreach (var row in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Name} | {row.MedianMs:0.0} | {row.MaxMs:0.0} | {row.MedianMs / peer:0.00} | {row.Moves} | {row.Before:0.000} → {row.After:0.000} | {(row.MaxMs < 1000 ? "PASS" : "FAIL")} |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Command: `{options.CommandLine}` (run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC).");
        var path = Path.Combine(Environment.CurrentDirectory, "artifacts", "benchmarks", "planner.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, text.ToString(), cancellationToken);
        Console.WriteLine();
        Console.WriteLine(text);
    }

    /// <summary>99 primaries own even ranges and one is empty; keys are skewed over a third of the slots; CPU is hot in 500 slots.</summary>
    private static (PlannerInput Input, PlannerGoal Goal) Generate(PlanMetric metric, PlanKind kind)
    {
        var random = new Random(42);
        var ids = Enumerable.Range(0, Primaries).Select(i => i.ToString("x2", CultureInfo.InvariantCulture).PadRight(40, 'b')).ToArray();
        var owners = new string?[SlotRange.SlotCount];
        var keys = new long[SlotRange.SlotCount];
        var load = new double[SlotRange.SlotCount];
        var bytes = new long[SlotRange.SlotCount];
        for (var slot = 0; slot < owners.Length; slot++)
        {
            owners[slot] = ids[slot * (Primaries - 1) / SlotRange.SlotCount];
            keys[slot] = random.Next(50, 150) + (slot < SlotRange.SlotCount / 3 ? random.Next(0, 400) : 0);
            bytes[slot] = keys[slot] * 120;
            load[slot] = metric switch
            {
                PlanMetric.Slots => 1,
                PlanMetric.Cpu => random.Next(10, 40) + (slot is >= 8000 and < 8500 ? 2_000 : 0),
                _ => keys[slot],
            };
        }

        var nodes = ids.Select((id, i) => new PlannerNode(id, $"10.0.{i / 250}.{i % 250}:6379", true, 1L << 30, 0)).ToImmutableArray();
        var drain = kind == PlanKind.Drain ? ids.Take(10).ToImmutableHashSet() : [];
        return (new PlannerInput(nodes, owners, load, keys, bytes, SlotRangeSet.Empty),
            new PlannerGoal(kind, metric, drain, ImmutableDictionary<string, double>.Empty, 0.02, 0.2));
    }
}
