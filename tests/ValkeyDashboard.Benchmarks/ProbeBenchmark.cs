using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Migrations.Impact;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Telemetry;
using SlotRange = ValkeyDashboard.Cluster.Model.SlotRange;

namespace ValkeyDashboard.Benchmarks;

/// <summary>
/// What the migration impact probe costs the cluster: the cluster's throughput under a saturating client load
/// (many concurrent GETs and SETs through StackExchange.Redis) with and without the dashboard's real probe
/// (<see cref="MigrationImpactProbe"/> at its default settings, begun for a migration record as the tracker does), in
/// alternating phases of one run (ABBA, so drift cancels); the probe's own operations per second against the
/// cluster's; and the nodes' CPU time per operation in each kind of phase.
/// </summary>
internal sealed class ProbeBenchmark(BenchmarkOptions options, string password, IReadOnlyList<string> seeds, string machine, string root)
{
    /// <summary>Concurrent requests of the saturating load.</summary>
    private const int Workers = 64;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var cluster = await ValkeyCluster.ConnectAsync(seeds, password);
        Console.WriteLine($"Writing {options.Keys:N0} keys ...");
        await cluster.LoadKeysAsync(options.Keys, cancellationToken);
        var nodes = await NodesAsync(cluster);
        using var meters = new BenchmarkMeters();
        var valkey = Options.Create(new ValkeyOptions { Password = password });
        await using var probe = new MigrationImpactProbe(
            new ClusterClients(valkey, new StaticSeeds(seeds), NullLogger<ClusterClients>.Instance),
            new AllAssigned(),
            Options.Create(new ImpactProbeOptions()),
            new ImpactProbeMetrics(meters, new MetricsCluster("benchmark")),
            NullLogger<MigrationImpactProbe>.Instance);
        await probe.StartAsync(cancellationToken);

        var phases = new List<Phase>();
        for (var round = 0; round < options.Rounds; round++)
        {
            // A B B A: each kind of phase as often first as second.
            foreach (var withProbe in round % 2 == 0 ? new[] { false, true } : [true, false])
            {
                phases.Add(await PhaseAsync(cluster, probe, nodes, withProbe, round, cancellationToken));
                var last = phases[^1];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  round {round + 1} {(withProbe ? "with probe   " : "without probe")}: {last.LoadOpsPerSecond,9:N0} ops/s, probe {last.ProbeOpsPerSecond,5:0.0} ops/s, nodes' CPU {last.CpuMicrosecondsPerOp:0.00} µs/op"));
            }
        }

        var report = Report(phases);
        var path = Path.Combine(root, "artifacts", "benchmarks", "probe.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, report, cancellationToken);
        Console.WriteLine();
        Console.WriteLine(report);
        Console.WriteLine($"(written to {Path.GetRelativePath(root, path)})");
    }

    private async Task<Phase> PhaseAsync(ValkeyCluster cluster, MigrationImpactProbe probe, IReadOnlyList<string> nodes, bool withProbe, int round, CancellationToken cancellationToken)
    {
        var id = $"probe-benchmark-{round}";
        if (withProbe)
        {
            probe.Begin(PretendMigration(id));
        }

        var cpuBefore = await CpuSecondsAsync(cluster, nodes);
        var started = Stopwatch.GetTimestamp();
        var ops = await SaturateAsync(cluster.Database, options.Keys, TimeSpan.FromSeconds(options.Seconds), cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpu = await CpuSecondsAsync(cluster, nodes) - cpuBefore;
        var impact = withProbe ? await probe.FinishAsync(id, MigrationEngineChoice.Atomic) : null;
        var probeOps = impact is null ? 0 : impact.Probes + impact.Errors;
        return new Phase(withProbe, ops / elapsed, probeOps / elapsed, cpu * 1e6 / (ops + probeOps));
    }

    /// <summary>As many GETs and SETs of loaded keys as <see cref="Workers"/> concurrent requests get through in <paramref name="duration"/>.</summary>
    private static async Task<long> SaturateAsync(IDatabase database, int keys, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(duration);
        var value = new byte[100];
        var counts = await Task.WhenAll(Enumerable.Range(0, Workers).Select(async worker =>
        {
            var random = new Random(worker);
            long done = 0;
            while (!stop.IsCancellationRequested)
            {
                var key = (RedisKey)$"bench:{random.Next(keys)}";
                try
                {
                    if (done % 2 == 0)
                    {
                        await database.StringGetAsync(key);
                    }
                    else
                    {
                        await database.StringSetAsync(key, value);
                    }

                    done++;
                }
                catch (RedisException)
                {
                    // Counted as not done.
                }
            }

            return done;
        }));
        cancellationToken.ThrowIfCancellationRequested();
        return counts.Sum();
    }

    private static async Task<IReadOnlyList<string>> NodesAsync(ValkeyCluster cluster)
    {
        var layout = await cluster.ExecuteAsync(cluster.Seed, "CLUSTER", "NODES");
        return [.. ((string)layout!).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')[1].Split('@')[0])];
    }

    /// <summary>Σ used_cpu_user + used_cpu_sys of every node (INFO cpu), seconds.</summary>
    private static async Task<double> CpuSecondsAsync(ValkeyCluster cluster, IReadOnlyList<string> nodes)
    {
        var total = 0.0;
        foreach (var node in nodes)
        {
            var info = (string)(await cluster.ExecuteAsync(node, "INFO", "cpu"))!;
            foreach (var line in info.Split('\n'))
            {
                if (line.StartsWith("used_cpu_user:", StringComparison.Ordinal) || line.StartsWith("used_cpu_sys:", StringComparison.Ordinal))
                {
                    total += double.Parse(line.Split(':')[1].Trim(), CultureInfo.InvariantCulture);
                }
            }
        }

        return total;
    }

    private static Migration PretendMigration(string id) => new()
    {
        Id = id,
        State = MigrationState.Running,
        Slots = SlotRangeSet.From([new SlotRange(0, 99)]),
        TargetNodeId = "benchmark",
        TargetEndpoint = "benchmark",
        Jobs = [],
        CreatedAt = DateTimeOffset.UtcNow,
        RequestedBy = "benchmark",
    };

    private string Report(List<Phase> phases)
    {
        var without = phases.Where(p => !p.WithProbe).ToList();
        var with = phases.Where(p => p.WithProbe).ToList();
        var withoutOps = Median(without.Select(p => p.LoadOpsPerSecond));
        var withOps = Median(with.Select(p => p.LoadOpsPerSecond));
        var probeOps = Median(with.Select(p => p.ProbeOpsPerSecond));
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Command: `{options.CommandLine}`  ");
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {machine}  ");
        text.AppendLine(CultureInfo.InvariantCulture, $"{options.Keys:N0} keys of 100 B; saturating load: {Workers} concurrent GET/SET (half each) through one StackExchange.Redis multiplexer; " +
            $"{options.Rounds} rounds of a phase without and a phase with the probe ({options.Seconds} s each, A B B A order); the probe at its defaults ({new ImpactProbeOptions().OpsPerSecond} ops/s, {new ImpactProbeOptions().KeysPerSide} keys per side).");
        text.AppendLine();
        text.AppendLine("| Phase | Round | Cluster ops/s (load) | Probe ops/s | Nodes' CPU µs per op |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        for (var i = 0; i < phases.Count; i++)
        {
            var p = phases[i];
            text.AppendLine(CultureInfo.InvariantCulture, $"| {(p.WithProbe ? "with probe" : "without probe")} | {(i / 2) + 1} | {p.LoadOpsPerSecond:N0} | {p.ProbeOpsPerSecond:0.0} | {p.CpuMicrosecondsPerOp:0.00} |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- Median throughput without the probe: **{withoutOps:N0} ops/s**; with it: **{withOps:N0} ops/s**; ratio with/without **{withOps / withoutOps:0.000}** " +
            $"(phase-to-phase spread without the probe: {Spread(without.Select(p => p.LoadOpsPerSecond)):0.0}%).");
        text.AppendLine(CultureInfo.InvariantCulture, $"- The probe's own operations: **{probeOps:0.0} ops/s** = **{probeOps / withOps * 100:0.0000}%** of the cluster's operations in the same phases.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Nodes' CPU per operation (median): without {Median(without.Select(p => p.CpuMicrosecondsPerOp)):0.00} µs, with {Median(with.Select(p => p.CpuMicrosecondsPerOp)):0.00} µs.");
        return text.ToString();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>(max − min) / median, in percent.</summary>
    private static double Spread(IEnumerable<double> values)
    {
        var list = values.ToList();
        return list.Count < 2 ? 0 : (list.Max() - list.Min()) / Median(list) * 100;
    }

    private sealed record Phase(bool WithProbe, double LoadOpsPerSecond, double ProbeOpsPerSecond, double CpuMicrosecondsPerOp);

    /// <summary>Every slot assigned: the probe picks its other keys anywhere outside the pretend migration's slots.</summary>
    private sealed class AllAssigned : IClusterSnapshotSource
    {
        public ClusterSnapshot Current { get; } = ClusterSnapshot.Initial with { SlotOwners = [.. Enumerable.Repeat<string?>("owner", SlotRange.SlotCount)] };

        public async IAsyncEnumerable<ClusterSnapshot> WatchAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            yield return Current;
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    /// <summary>The probe's instruments need a meter factory; nothing listens in the benchmark.</summary>
    private sealed class BenchmarkMeters : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
