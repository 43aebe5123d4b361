using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Parsing;

using SlotRange = ValkeyDashboard.Cluster.Model.SlotRange;

namespace ValkeyDashboard.Benchmarks;

/// <summary>
/// Plans against <c>valkey-cli --cluster rebalance --cluster-use-atomic-slot-migration</c>, on the same cluster with the
/// same data, from the same layout (restored between the two), under the same client load: (1) keys skewed across
/// slots, (2) one region of slots hot with traffic, (3) drain one primary, (4) scale out 3 → 4 primaries. For each, the
/// imbalance of keys, memory and CPU afterwards (largest primary over the mean), the keys moved, the wall time and the
/// client commands that failed during the run.
/// </summary>
internal sealed class PlanBenchmark(
    BenchmarkOptions options,
    HttpClient http,
    ValkeyCluster cluster,
    string valkeyCli,
    string password,
    string machine,
    string root)
{
    private const int LoadOpsPerSecond = 4_000;
    private static readonly TimeSpan CpuMeasurement = TimeSpan.FromSeconds(20);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly List<Row> _rows = [];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var seed = cluster.Seed;
        // An emptied primary stays a primary (Valkey would make it a replica), so the layout can be restored after a drain.
        foreach (var endpoint in (await cluster.ReadLayoutAsync(seed)).Endpoints.Values)
        {
            await cluster.ExecuteAsync(endpoint, "CONFIG", "SET", "cluster-allow-replica-migration", "no");
        }

        Console.WriteLine($"Loading {options.Keys:N0} keys of 100 bytes ...");
        await cluster.LoadKeysAsync(options.Keys, cancellationToken);
        var original = await cluster.WaitUntilSettledAsync("the cluster to settle after loading", _ => null, cancellationToken);
        var primaries = original.Primaries.OrderBy(p => original.Endpoints[p], StringComparer.Ordinal).ToList();

        // (1) A fifth of the keys again, all in the first 1,000 slots of the first primary.
        var heavy = SlotRangeSet.FromSlots(original.SlotsOf(primaries[0]).Slots().Take(1_000));
        var skewKeys = KeysIn(heavy, "skew", options.Keys / 5);
        await WriteAsync(skewKeys, cancellationToken);
        await CompareAsync("(1) keys skewed across slots", """{"kind": "rebalance", "metric": "keys"}""", ["--cluster", "rebalance", seed], original, traffic: null, cancellationToken);
        await DeleteAsync(skewKeys, cancellationToken);

        // (2) Most of the traffic on 500 slots of the first primary.
        var hot = KeysIn(SlotRangeSet.FromSlots(original.SlotsOf(primaries[0]).Slots().Take(500)), "bench", 5_000, existing: true);
        await CompareAsync("(2) one region of slots hot with traffic", """{"kind": "rebalance", "metric": "cpu"}""", ["--cluster", "rebalance", seed], original, hot, cancellationToken);

        // (3) Drain the third primary.
        await CompareAsync("(3) drain one primary", $$"""{"kind": "drain", "metric": "keys", "nodeIds": ["{{primaries[2]}}"]}""",
            ["--cluster", "rebalance", seed, "--cluster-weight", $"{primaries[2]}=0"], original, traffic: null, cancellationToken);

        // (4) A fourth, empty primary.
        using (var added = await http.PostAsJsonAsync("/api/nodes", new { role = "primary" }, Json, cancellationToken))
        {
            if (added.StatusCode != HttpStatusCode.OK)
            {
                throw new BenchmarkFailedException($"POST /api/nodes answered {(int)added.StatusCode}: {await added.Content.ReadAsStringAsync(cancellationToken)}");
            }
        }

        var fourPrimaries = await cluster.WaitUntilSettledAsync("the fourth primary to be known everywhere", l => l.Primaries.Length == 4 ? null : $"{l.Primaries.Length} primaries", cancellationToken);
        var newcomer = fourPrimaries.Primaries.Single(p => !primaries.Contains(p));
        await cluster.ExecuteAsync(fourPrimaries.Endpoints[newcomer], "CONFIG", "SET", "cluster-allow-replica-migration", "no");
        await CompareAsync("(4) scale out 3 → 4 primaries", """{"kind": "rebalance", "metric": "keys"}""",
            ["--cluster", "rebalance", seed, "--cluster-use-empty-masters"], fourPrimaries, traffic: null, cancellationToken);

        var report = Report();
        var path = Path.Combine(root, "artifacts", "benchmarks", "plans.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, report, cancellationToken);
        Console.WriteLine();
        Console.WriteLine(report);
        Console.WriteLine($"(written to {Path.GetRelativePath(root, path)})");
    }

    /// <summary>Runs the dashboard's plan, then (from the same layout) valkey-cli, each under the same client load.</summary>
    private async Task CompareAsync(string scenario, string planBody, IReadOnlyList<string> cliArguments, SlotLayout start, IReadOnlyList<string>? traffic, CancellationToken cancellationToken)
    {
        Console.WriteLine($"{scenario}:");
        foreach (var method in new[] { "dashboard plan", "valkey-cli rebalance" })
        {
            await cluster.RestoreAsync(start, cancellationToken);
            await cluster.WaitUntilSettledAsync($"the layout to be back before {method}", l => l.SameOwnership(start) ? null : "not restored yet", cancellationToken);
            await ResetStatsAsync(start);
            using var trafficStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var hotTraffic = traffic is null ? Task.FromResult((0L, 0L)) : RunTrafficAsync(traffic, trafficStop.Token);
            if (traffic is not null && method == "dashboard plan")
            {
                // The plan averages CPU over the load window (Plans:LoadWindow, 20 s here): let it fill.
                await Task.Delay(TimeSpan.FromSeconds(22), cancellationToken);
            }

            var before = await PerSlotKeysAsync(start);
            using var loadStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var load = cluster.RunLoadAsync(options.Keys, LoadOpsPerSecond, loadStop.Token);
            var clock = Stopwatch.StartNew();
            var detail = method == "dashboard plan" ? await RunPlanAsync(planBody, cancellationToken) : await RunCliAsync(cliArguments, cancellationToken);
            var elapsed = clock.Elapsed;
            await loadStop.CancelAsync();
            var (commands, failures) = await load;
            var after = await cluster.WaitUntilSettledAsync($"the cluster to settle after {method}", _ => null, cancellationToken);
            var keysMoved = MovedKeys(start, after, before);
            var cpu = traffic is null ? (double?)null : await CpuImbalanceAsync(after, cancellationToken);
            await trafficStop.CancelAsync();
            var (trafficCommands, trafficFailures) = await hotTraffic;
            var row = new Row(scenario, method, elapsed, keysMoved, before.Sum(), await KeysImbalanceAsync(after), await MemoryImbalanceAsync(after), cpu,
                commands + trafficCommands, failures + trafficFailures, detail);
            _rows.Add(row);
            Console.WriteLine($"  {method}: {elapsed.TotalSeconds:0.00} s, {keysMoved:N0} keys moved, keys imbalance {row.KeysImbalance:0.000}, " +
                $"memory {row.MemoryImbalance:0.000}, CPU {(cpu is null ? "-" : cpu.Value.ToString("0.000", CultureInfo.InvariantCulture))}, {failures + trafficFailures} failed of {commands + trafficCommands:N0} commands; {detail}");
        }

        await cluster.RestoreAsync(start, cancellationToken);
    }

    private async Task<string> RunPlanAsync(string body, CancellationToken cancellationToken)
    {
        using var started = await http.PostAsync("/api/plans", new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
        var text = await started.Content.ReadAsStringAsync(cancellationToken);
        if (started.StatusCode != HttpStatusCode.Accepted)
        {
            throw new BenchmarkFailedException($"POST /api/plans {body} answered {(int)started.StatusCode}: {text}");
        }

        var id = JsonDocument.Parse(text).RootElement.GetProperty("id").GetString();
        using var done = await http.GetAsync(new Uri($"/api/plans/{id}?wait=600", UriKind.Relative), cancellationToken);
        var plan = JsonDocument.Parse(await done.Content.ReadAsStringAsync(cancellationToken)).RootElement;
        if (plan.GetProperty("state").GetString() != "succeeded")
        {
            throw new BenchmarkFailedException($"plan {id} ended {plan.GetProperty("state").GetString()}: {plan.GetRawText()}");
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"{plan.GetProperty("moves").GetArrayLength()} move(s), planned imbalance {plan.GetProperty("imbalanceBefore").GetDouble():0.000} → {plan.GetProperty("imbalanceAfter").GetDouble():0.000}");
    }

    private async Task<string> RunCliAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = (await ExternalCommand.RunAsync(valkeyCli, [.. arguments, "--cluster-use-atomic-slot-migration"], ValkeyCluster.MigrationTimeout, cancellationToken,
            environment: new Dictionary<string, string?> { ["VALKEYCLI_AUTH"] = password })).EnsureSuccess();
        if (result.Output.Contains("[ERR]", StringComparison.Ordinal))
        {
            throw new BenchmarkFailedException($"`{result.CommandLine}` reported an error:\n{result.Tail()}");
        }

        return result.Output.Contains("No rebalancing needed", StringComparison.Ordinal) ? "\"No rebalancing needed!\" (slot counts are even)" : "moved slots";
    }

    /// <summary>Hot traffic: GETs and SETs on <paramref name="keys"/> only, as fast as one connection allows with 64 in flight.</summary>
    private async Task<(long Commands, long Failures)> RunTrafficAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var db = cluster.Database;
        long commands = 0, failures = 0;
        var random = new Random(11);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var batch = Enumerable.Range(0, 64).Select(i => i % 4 == 0 ? (Task)db.StringSetAsync(keys[random.Next(keys.Count)], "hot") : db.StringGetAsync(keys[random.Next(keys.Count)])).ToList();
                try
                {
                    await Task.WhenAll(batch);
                }
                catch (RedisException)
                {
                    failures += batch.Count(t => t.IsFaulted);
                }

                commands += batch.Count;
                await Task.Delay(2, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        return (commands, failures);
    }

    private async Task ResetStatsAsync(SlotLayout layout)
    {
        foreach (var primary in layout.Primaries)
        {
            await cluster.ExecuteAsync(layout.Endpoints[primary], "CONFIG", "RESETSTAT");
        }
    }

    /// <summary>CPU per primary over <see cref="CpuMeasurement"/> of the running traffic, from each slot's cpu-usec: the largest over the mean.</summary>
    private async Task<double> CpuImbalanceAsync(SlotLayout layout, CancellationToken cancellationToken)
    {
        var first = await SlotCpuAsync(layout);
        await Task.Delay(CpuMeasurement, cancellationToken);
        var second = await SlotCpuAsync(layout);
        var perPrimary = layout.Primaries.Select(p => layout.SlotsOf(p).Slots().Sum(s => Math.Max(0, second[s] - first[s]))).ToList();
        return Imbalance(perPrimary);
    }

    private async Task<long[]> SlotCpuAsync(SlotLayout layout)
    {
        var cpu = new long[SlotRange.SlotCount];
        foreach (var primary in layout.Primaries)
        {
            foreach (var entry in SlotStatsParser.Parse(await cluster.ExecuteAsync(layout.Endpoints[primary], "CLUSTER", "SLOT-STATS", "SLOTSRANGE", 0, SlotRange.MaxSlot)))
            {
                cpu[entry.Slot] = entry.CpuUsec ?? 0;
            }
        }

        return cpu;
    }

    private async Task<long[]> PerSlotKeysAsync(SlotLayout layout)
    {
        var keys = new long[SlotRange.SlotCount];
        foreach (var primary in layout.Primaries)
        {
            foreach (var entry in SlotStatsParser.Parse(await cluster.ExecuteAsync(layout.Endpoints[primary], "CLUSTER", "SLOT-STATS", "SLOTSRANGE", 0, SlotRange.MaxSlot)))
            {
                keys[entry.Slot] = entry.KeyCount;
            }
        }

        return keys;
    }

    private static long MovedKeys(SlotLayout before, SlotLayout after, long[] keys) =>
        before.MovesTo(after).Sum(m => m.Slots.Slots().Sum(s => keys[s]));

    private async Task<double> KeysImbalanceAsync(SlotLayout layout)
    {
        var sizes = new List<double>();
        foreach (var primary in layout.Primaries.Where(p => !layout.SlotsOf(p).IsEmpty))
        {
            sizes.Add((long)await cluster.ExecuteAsync(layout.Endpoints[primary], "DBSIZE"));
        }

        return Imbalance(sizes);
    }

    private async Task<double> MemoryImbalanceAsync(SlotLayout layout)
    {
        var used = new List<double>();
        foreach (var primary in layout.Primaries.Where(p => !layout.SlotsOf(p).IsEmpty))
        {
            used.Add(InfoReply.Parse((string)(await cluster.ExecuteAsync(layout.Endpoints[primary], "INFO", "memory"))!).GetInt64("used_memory") ?? 0);
        }

        return Imbalance(used);
    }

    private static double Imbalance(List<double> values) => values.Count == 0 || values.Average() <= 0 ? 1.0 : values.Max() / values.Average();

    private static double Imbalance(List<long> values) => Imbalance([.. values.Select(v => (double)v)]);

    /// <summary><paramref name="count"/> key names whose slots are in <paramref name="slots"/> (the loaded <c>bench:i</c> keys when <paramref name="existing"/>).</summary>
    private List<string> KeysIn(SlotRangeSet slots, string prefix, int count, bool existing = false)
    {
        var keys = new List<string>(count);
        var limit = existing ? options.Keys : int.MaxValue;
        for (var i = 0; keys.Count < count && i < limit; i++)
        {
            var key = $"{prefix}:{i}";
            if (slots.Contains(cluster.HashSlot(key)))
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    private async Task WriteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var value = new string('s', 100);
        foreach (var batch in keys.Chunk(10_000))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.WhenAll(batch.Select(k => cluster.Database.StringSetAsync(k, value)));
        }
    }

    private async Task DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        foreach (var batch in keys.Chunk(10_000))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.WhenAll(batch.Select(k => cluster.Database.KeyDeleteAsync(k)));
        }
    }

    private string Report()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### Result ({DateTimeOffset.UtcNow:yyyy-MM-dd})");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"{options.Keys:N0} keys of 100 bytes in the dashboard's embedded cluster (3 primaries, 3 replicas; a fourth primary for (4)), " +
            $"a client load of {LoadOpsPerSecond:N0} GET/SET a second during every run. Imbalance = the largest primary's figure over the mean (1.000 = even); CPU from each slot's `cpu-usec` over {CpuMeasurement.TotalSeconds:0} s of the scenario's traffic after the run.");
        text.AppendLine();
        text.AppendLine("| Scenario | Method | Keys imbalance | Memory imbalance | CPU imbalance | Keys moved | Wall time (s) | Failed client commands | Notes |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var row in _rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Scenario} | {row.Method} | {row.KeysImbalance:0.000} | {row.MemoryImbalance:0.000} | {(row.CpuImbalance is { } c ? c.ToString("0.000", CultureInfo.InvariantCulture) : "–")} | {row.KeysMoved:N0} | {row.Elapsed.TotalSeconds:0.00} | {row.Failures} of {row.Commands:N0} | {row.Detail} |");
        }

        text.AppendLine();
        text.AppendLine("| Target | Measured | Result |");
        text.AppendLine("| --- | ---: | --- |");
        var keysPlan = _rows.Single(r => r.Scenario.StartsWith("(1)", StringComparison.Ordinal) && r.Method == "dashboard plan");
        var keysCli = _rows.Single(r => r.Scenario.StartsWith("(1)", StringComparison.Ordinal) && r.Method != "dashboard plan");
        var hotPlan = _rows.Single(r => r.Scenario.StartsWith("(2)", StringComparison.Ordinal) && r.Method == "dashboard plan");
        var scalePlan = _rows.Single(r => r.Scenario.StartsWith("(4)", StringComparison.Ordinal) && r.Method == "dashboard plan");
        var scaleCli = _rows.Single(r => r.Scenario.StartsWith("(4)", StringComparison.Ordinal) && r.Method != "dashboard plan");
        Target($"(1) keys imbalance ≤ 1.05 (valkey-cli leaves {keysCli.KeysImbalance:0.000})", keysPlan.KeysImbalance, keysPlan.KeysImbalance <= 1.05);
        Target("(2) CPU imbalance ≤ 1.15", hotPlan.CpuImbalance ?? double.NaN, hotPlan.CpuImbalance <= 1.15);
        var quarter = scalePlan.TotalKeys / 4.0;
        Target($"(4) keys moved ≤ 1.1 × a quarter of all keys ({quarter:N0})", scalePlan.KeysMoved / quarter, scalePlan.KeysMoved <= 1.1 * quarter);
        Target($"(4) wall time ≤ valkey-cli's ({scaleCli.Elapsed.TotalSeconds:0.00} s): ratio", scalePlan.Elapsed / scaleCli.Elapsed, scalePlan.Elapsed <= scaleCli.Elapsed);
        var planRows = _rows.Where(r => r.Method == "dashboard plan").ToList();
        Target("no failed client command during any dashboard plan", planRows.Sum(r => r.Failures), planRows.All(r => r.Failures == 0));
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Failed client commands during valkey-cli's runs (the peer, for comparison): {_rows.Where(r => r.Method != "dashboard plan").Sum(r => r.Failures)}.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {machine}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Command: `{options.CommandLine}` (run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC).");
        return text.ToString();

        void Target(string what, double measured, bool pass) =>
            text.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {measured:0.000} | {(pass ? "PASS" : "FAIL")} |");
    }

    private sealed record Row(string Scenario, string Method, TimeSpan Elapsed, long KeysMoved, long TotalKeys, double KeysImbalance, double MemoryImbalance, double? CpuImbalance,
        long Commands, long Failures, string Detail);
}
