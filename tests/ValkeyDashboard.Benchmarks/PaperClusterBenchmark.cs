using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using StackExchange.Redis;
using SlotRange = ValkeyDashboard.Cluster.Model.SlotRange;
using ValkeyDashboard.Api;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Parsing;
using ValkeyDashboard.Model.HeatMap;

namespace ValkeyDashboard.Benchmarks;

/// <summary>
/// "1,000 nodes on paper": the monitor's work per poll without the network, on replies generated to the shape of the
/// ones recorded from a real Valkey 9.1.2 cluster (tests/ValkeyDashboard.Cluster.Tests/Replies): parsing
/// <c>CLUSTER SHARDS</c> (as StackExchange.Redis hands it over), <c>INFO</c> of every node, <c>CLUSTER SLOT-STATS</c> of
/// every primary (the raw RESP the lean connection parses in place, all four metrics), building the snapshot, the heat
/// map's layers (<see cref="SlotHeatLayers"/>, once per poll for all browsers) and the JSON of <c>GET /api/cluster</c>.
/// CPU per poll and memory for 6, 200 and 1,000 nodes in one run (6 nodes is the peer). Target: ≤ 50 ms CPU per poll at
/// 1,000 nodes.
/// </summary>
internal static class PaperClusterBenchmark
{
    public const double TargetMilliseconds = 50;

    private static readonly JsonSerializerOptions ApiJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static async Task RunAsync(BenchmarkOptions options, string repositoryRoot, CancellationToken cancellationToken)
    {
        var info = File.ReadAllText(Path.Combine(repositoryRoot, "tests", "ValkeyDashboard.Cluster.Tests", "Replies", "info-primary.resp"));
        // The captured file is one RESP bulk string: its text is what InfoReply.Parse gets.
        info = info[(info.IndexOf('\n', StringComparison.Ordinal) + 1)..];
        var polls = Math.Max(20, options.Rounds * 10);
        var shapes = new (string Name, int Primaries, int Replicas)[]
        {
            ("6 nodes (3 × 1, the peer)", 3, 1),
            ("200 nodes (100 × 1)", 100, 1),
            ("1,000 nodes (500 × 1)", 500, 1),
            ("1,000 nodes (250 × 3)", 250, 3),
        };

        var replies = shapes.Select(shape => Replies.Generate(shape.Primaries, shape.Replicas, info)).ToArray();

        // A pass over every size first, unmeasured: .NET compiles hot methods again, optimised, after their first calls
        // (tiered compilation), and whichever size ran first would otherwise pay for it (the 6-node peer did).
        for (var i = 0; i < shapes.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Measure(shapes[i].Name, replies[i], polls);
        }

        var rows = new List<Row>();
        for (var i = 0; i < shapes.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            rows.Add(Measure(shapes[i].Name, replies[i], polls));
            Console.WriteLine(rows[^1].ToString());
        }

        var peer = rows[0];
        var text = new StringBuilder();
        Line(text, $"| Cluster | CPU per poll (ms, median of {polls}) | × the 6-node peer | Allocated per poll (MB) | Held after a poll (MB) | `/api/cluster` (KB) | Heat-map layers (ms) | Target |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var row in rows)
        {
            var target = row.Nodes >= 1000 ? (row.CpuMs <= TargetMilliseconds ? $"≤ {TargetMilliseconds:0} ms: PASS" : $"≤ {TargetMilliseconds:0} ms: MISS") : string.Empty;
            Line(text, $"| {row.Name} | {row.CpuMs:0.00} | {row.CpuMs / peer.CpuMs:0.00} | {row.AllocatedMb:0.0} | {row.HeldMb:0.0} | {row.ApiKb:0} | {row.LayersMs:0.00} | {target} |");
        }

        text.AppendLine();
        foreach (var row in rows)
        {
            Line(text, $"- {row.Name}, wall ms per poll by stage: {row.Stages}.");
        }

        Line(text, $"- Per poll: parse SHARDS, INFO × nodes, SLOT-STATS × primaries (16,384 slots with key-count, cpu-usec, network-bytes-in/out), build the snapshot, the heat-map layers (against the poll before) and serialise `/api/cluster`; one thread, CPU time of the process over {polls} polls after {polls / 4} warm-up polls, once every size has run a whole unmeasured pass.");
        Line(text, $"- Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}.");
        Line(text, $"- Command: `{options.CommandLine}`");
        var path = Path.Combine(repositoryRoot, "artifacts", "benchmarks", "paper.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, text.ToString(), cancellationToken);
        Console.WriteLine();
        Console.WriteLine(text);
    }

    private static Row Measure(string name, Replies replies, int polls)
    {
        ClusterSnapshot? previous = null;
        SlotHeatLayers? layers = null;
        var apiBytes = 0;
        for (var i = 0; i < polls / 4; i++)
        {
            (previous, layers, apiBytes, _) = Poll(replies, previous, layers, i);
        }

        Stages.Clear();
        var cpu = new List<double>();
        var layerTimes = new List<double>();
        long allocated = 0;
        for (var i = 0; i < polls; i++)
        {
            var before = Process.GetCurrentProcess().TotalProcessorTime;
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            (previous, layers, apiBytes, var layerMs) = Poll(replies, previous, layers, i);
            allocated += GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - before).TotalMilliseconds);
            layerTimes.Add(layerMs);
        }

        // What one poll's results keep alive: the snapshot and layers (the replies are the benchmark's own).
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var held = Poll(replies, previous, layers, polls);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(held);
        cpu.Sort();
        layerTimes.Sort();
        var stages = string.Join(", ", Stages.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key} {s.Value / (polls + 1):0.0}")));
        return new Row(name, replies.Nodes, cpu[cpu.Count / 2], allocated / (double)polls / 1e6, Math.Max(0, after - baseline) / 1e6, apiBytes / 1024.0, layerTimes[layerTimes.Count / 2], stages);
    }

    /// <summary>Wall milliseconds per stage, summed over the measured polls (one thread: close to its CPU time, GC aside).</summary>
    private static readonly Dictionary<string, double> Stages = new(StringComparer.Ordinal);

    private static void Stage(string name, Stopwatch clock)
    {
        Stages[name] = Stages.GetValueOrDefault(name) + clock.Elapsed.TotalMilliseconds;
        clock.Restart();
    }

    private static (ClusterSnapshot Snapshot, SlotHeatLayers Layers, int ApiBytes, double LayersMs) Poll(Replies replies, ClusterSnapshot? previous, SlotHeatLayers? previousLayers, int version)
    {
        var stage = Stopwatch.StartNew();
        var shards = ClusterShardsParser.Parse(replies.Shards);
        var clusterInfo = InfoReply.Parse(replies.ClusterInfo);
        var probes = new Dictionary<string, NodeProbe>(replies.Nodes);
        foreach (var id in replies.NodeIds)
        {
            probes[id] = new NodeProbe(InfoReply.Parse(replies.Info, ClusterMonitor.InfoFields), null);
        }

        Stage("SHARDS + INFO parsing", stage);

        var slotStats = new Dictionary<string, List<SlotStatsEntry>>(replies.PrimaryIds.Length);
        for (var i = 0; i < replies.PrimaryIds.Length; i++)
        {
            slotStats[replies.PrimaryIds[i]] = SlotStatsParser.Parse(replies.SlotStats[i].Span);
        }

        Stage("SLOT-STATS parsing", stage);
        var snapshot = ClusterSnapshotBuilder.Build(shards, clusterInfo, probes, slotStats, DateTimeOffset.UnixEpoch.AddSeconds(version), version);
        Stage("snapshot", stage);
        var layers = SlotHeatLayers.From(snapshot, previous, previousLayers);
        var layersMs = stage.Elapsed.TotalMilliseconds;
        Stage("heat-map layers", stage);
        var json = JsonSerializer.SerializeToUtf8Bytes(ClusterResponse.From(snapshot), ApiJson);
        Stage("/api/cluster JSON", stage);
        return (snapshot, layers, json.Length, layersMs);
    }

    private static void Line(StringBuilder text, FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));

    private sealed record Row(string Name, int Nodes, double CpuMs, double AllocatedMb, double HeldMb, double ApiKb, double LayersMs, string Stages)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Name}: {CpuMs:0.00} ms CPU per poll, {AllocatedMb:0.0} MB allocated, {HeldMb:0.0} MB held, /api/cluster {ApiKb:0} KB, layers {LayersMs:0.00} ms; ms per poll by stage: {Stages}");
    }

    /// <summary>One poll's replies of a generated cluster, shaped like the recorded ones.</summary>
    private sealed class Replies
    {
        public required RedisResult Shards { get; init; }

        public required string ClusterInfo { get; init; }

        public required string Info { get; init; }

        public required string[] NodeIds { get; init; }

        public required string[] PrimaryIds { get; init; }

        /// <summary>Per primary, the raw RESP of <c>CLUSTER SLOT-STATS SLOTSRANGE 0 16383</c> with every metric.</summary>
        public required ReadOnlyMemory<byte>[] SlotStats { get; init; }

        public int Nodes => NodeIds.Length;

        public static Replies Generate(int primaries, int replicasPerPrimary, string info)
        {
            var random = new Random(primaries);
            var shards = new List<RedisResult>();
            var nodeIds = new List<string>();
            var primaryIds = new List<string>();
            var slotStats = new List<ReadOnlyMemory<byte>>();
            var port = 10000;
            for (var p = 0; p < primaries; p++)
            {
                var start = p * SlotRange.SlotCount / primaries;
                var end = ((p + 1) * SlotRange.SlotCount / primaries) - 1;
                var nodes = new List<RedisResult>();
                for (var r = 0; r <= replicasPerPrimary; r++)
                {
                    var id = Convert.ToHexStringLower(RandomBytes(random, 20));
                    nodeIds.Add(id);
                    if (r == 0)
                    {
                        primaryIds.Add(id);
                    }

                    nodes.Add(Map(
                        ("id", Bulk(id)), ("port", Integer(port++)), ("ip", Bulk("127.0.0.1")), ("endpoint", Bulk("127.0.0.1")),
                        ("role", Bulk(r == 0 ? "master" : "replica")), ("replication-offset", Integer(991565)), ("health", Bulk("online"))));
                }

                shards.Add(Map(
                    ("slots", RedisResult.Create([Integer(start), Integer(end)])),
                    ("nodes", RedisResult.Create([.. nodes])),
                    ("id", Bulk(Convert.ToHexStringLower(RandomBytes(random, 20))))));
                slotStats.Add(SlotStatsResp(start, end, random));
            }

            return new Replies
            {
                Shards = RedisResult.Create([.. shards]),
                ClusterInfo = $"cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\ncluster_known_nodes:{nodeIds.Count}\r\ncluster_size:{primaries}\r\n",
                Info = info,
                NodeIds = [.. nodeIds],
                PrimaryIds = [.. primaryIds],
                SlotStats = [.. slotStats],
            };
        }

        private static byte[] RandomBytes(Random random, int count)
        {
            var bytes = new byte[count];
            random.NextBytes(bytes);
            return bytes;
        }

        private static RedisResult Bulk(string text) => RedisResult.Create((RedisValue)text, ResultType.BulkString);

        private static RedisResult Integer(long value) => RedisResult.Create((RedisValue)value, ResultType.Integer);

        private static RedisResult Map(params (string Key, RedisResult Value)[] entries) =>
            RedisResult.Create([.. entries.SelectMany(e => new[] { Bulk(e.Key), e.Value })]);

        /// <summary>The RESP2 a primary sends for its slots: <c>*n</c> of <c>[slot, [key-count, k, cpu-usec, c, …]]</c>.</summary>
        private static byte[] SlotStatsResp(int start, int end, Random random)
        {
            var resp = new StringBuilder();
            resp.Append(CultureInfo.InvariantCulture, $"*{end - start + 1}\r\n");
            for (var slot = start; slot <= end; slot++)
            {
                resp.Append(CultureInfo.InvariantCulture, $"*2\r\n:{slot}\r\n*8\r\n$9\r\nkey-count\r\n:{random.Next(0, 5000)}\r\n$8\r\ncpu-usec\r\n:{random.Next(0, 1_000_000)}\r\n");
                resp.Append(CultureInfo.InvariantCulture, $"$16\r\nnetwork-bytes-in\r\n:{random.Next(0, 10_000_000)}\r\n$17\r\nnetwork-bytes-out\r\n:{random.Next(0, 10_000_000)}\r\n");
            }

            return Encoding.ASCII.GetBytes(resp.ToString());
        }
    }
}
