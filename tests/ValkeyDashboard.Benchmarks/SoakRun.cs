using System.Diagnostics;
using System.Globalization;
using System.Text;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Benchmarks;

/// <summary>
/// The soak: many random migrations back and forth through the REST API while clients read and write continuously.
/// Afterwards every key must hold the last value written to it, no client command may have failed, and
/// <c>valkey-cli --cluster check</c> must find every slot covered and none left open.
/// </summary>
internal sealed partial class SoakRun(BenchmarkOptions options, DashboardClient dashboard, ValkeyCluster cluster, string valkeyCli, string password, string seed, string machine, string root)
{
    private const int Writers = 4;
    private const int Batch = 40;
    private const int MaxSlotsPerMigration = 300;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine($"Writing {options.Keys:N0} keys ...");
        var load = new SoakLoad(cluster.Database, options.Keys);
        await load.SeedAsync(cancellationToken);

        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var clients = load.RunAsync(stopLoad.Token);
        var random = new Random(4242);
        var clock = Stopwatch.StartNew();
        var slotsMoved = 0;
        var durations = new List<double>();
        try
        {
            for (var i = 1; i <= options.Migrations; i++)
            {
                var (slots, targetId, target) = await PickMoveAsync(random, cancellationToken);
                var started = Stopwatch.StartNew();
                var id = await dashboard.StartMigrationAsync(slots, targetId, cancellationToken);
                DashboardMigrationState state;
                do
                {
                    state = await dashboard.WaitForMigrationAsync(id, 120, cancellationToken);
                }
                while (state.State is "pending" or "running");

                if (state.State != "succeeded")
                {
                    throw new BenchmarkFailedException($"migration {i} ({slots} to {target}) ended {state.State}: {state.Body}");
                }

                durations.Add(started.Elapsed.TotalSeconds);
                slotsMoved += slots.SlotCount;
                if (i % 10 == 0)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {i}/{options.Migrations} migrations, {slotsMoved:N0} slots moved, {load.Commands:N0} client commands, {load.Failures} failed, {load.StaleReads} stale reads"));
                }
            }
        }
        finally
        {
            await stopLoad.CancelAsync();
            await clients;
        }

        var elapsed = clock.Elapsed;
        Console.WriteLine("Checking every key ...");
        var (checkedKeys, wrong) = await load.VerifyAsync(cancellationToken);
        var check = await ExternalCommand.RunAsync(valkeyCli, ["--cluster", "check", seed], TimeSpan.FromMinutes(2), cancellationToken,
            environment: new Dictionary<string, string?> { ["VALKEYCLI_AUTH"] = password });
        var output = AnsiEscape().Replace(check.Output, string.Empty);
        var covered = output.Contains("[OK] All 16384 slots covered.", StringComparison.Ordinal);
        // valkey-cli reports open (importing/migrating) slots and disagreements as [WARNING] or [ERR] lines.
        var open = output.Split('\n').Where(l => l.Contains("[WARNING]", StringComparison.Ordinal) || l.Contains("[ERR]", StringComparison.Ordinal)).ToList();

        var report = Report(elapsed, slotsMoved, durations, load, checkedKeys, wrong, covered, open, check.ExitCode);
        var path = Path.Combine(root, "artifacts", "benchmarks", "soak.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, report, cancellationToken);
        Console.WriteLine();
        Console.WriteLine(report);
        Console.WriteLine($"(written to {Path.GetRelativePath(root, path)})");
        if (wrong > 0 || load.Failures > 0 || load.StaleReads > 0 || !covered || open.Count > 0 || check.ExitCode != 0)
        {
            throw new BenchmarkFailedException($"the soak found problems:\n{check.Tail()}");
        }
    }

    /// <summary>A random part of a random primary's ranges, to a random other primary.</summary>
    private async Task<(SlotRangeSet Slots, string TargetId, string Target)> PickMoveAsync(Random random, CancellationToken cancellationToken)
    {
        var primaries = (await dashboard.GetClusterAsync(cancellationToken)).Nodes.Where(n => n.IsPrimary && n.Slots.Length > 0).ToList();
        var source = primaries[random.Next(primaries.Count)];
        var range = source.SlotSet.Ranges[random.Next(source.SlotSet.Ranges.Length)];
        var length = random.Next(1, Math.Min(MaxSlotsPerMigration, range.Count) + 1);
        var start = range.Start + random.Next(range.Count - length + 1);
        var target = (await dashboard.GetClusterAsync(cancellationToken)).Nodes.Where(n => n.IsPrimary && n.Id != source.Id).OrderBy(_ => random.Next()).First();
        return (SlotRangeSet.From([new Cluster.Model.SlotRange(start, start + length - 1)]), target.Id, target.Endpoint);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial System.Text.RegularExpressions.Regex AnsiEscape();

    private string Report(TimeSpan elapsed, int slotsMoved, List<double> durations, SoakLoad load, int checkedKeys, int wrong, bool covered, List<string> open, int checkExit)
    {
        var c = CultureInfo.InvariantCulture;
        var sorted = durations.Order().ToList();
        var text = new StringBuilder();
        text.AppendLine(c, $"Command: `{options.CommandLine}`");
        text.AppendLine();
        text.AppendLine(c, $"Machine: {machine}");
        text.AppendLine();
        text.AppendLine("| Figure | Value |");
        text.AppendLine("| --- | ---: |");
        text.AppendLine(c, $"| Migrations (random ranges of 1-{MaxSlotsPerMigration} slots, random source and target, REST API, one after another) | {durations.Count:N0}, all succeeded |");
        text.AppendLine(c, $"| Slots moved | {slotsMoved:N0} |");
        text.AppendLine(c, $"| Migration time, median / max | {sorted[sorted.Count / 2]:0.00} s / {sorted[^1]:0.00} s |");
        text.AppendLine(c, $"| Duration of the soak | {elapsed.TotalSeconds:0} s |");
        text.AppendLine(c, $"| Keys | {options.Keys:N0} (100-byte values) |");
        text.AppendLine(c, $"| Client load | {Writers} clients, half GET half SET, {load.Commands:N0} commands ({load.Commands / elapsed.TotalSeconds:N0}/s) |");
        text.AppendLine(c, $"| Client commands failed | {load.Failures} |");
        text.AppendLine(c, $"| Commands sent again after a second redirect (StackExchange.Redis follows one MOVED per command; its slot had moved twice) | {load.RedirectRetries} |");
        text.AppendLine(c, $"| Stale reads (a GET not returning the last acknowledged SET) | {load.StaleReads} |");
        text.AppendLine(c, $"| Keys checked afterwards / not holding their last value | {checkedKeys:N0} / {wrong} |");
        text.AppendLine(c, $"| `valkey-cli --cluster check` | exit {checkExit}; {(covered ? "all 16384 slots covered" : "NOT all slots covered")}; {(open.Count == 0 ? "no open slots" : $"open: {string.Join("; ", open)}")} |");
        return text.ToString();
    }
}

/// <summary>
/// Clients reading and writing the keys during the soak. Each key belongs to one client, which knows the last value it
/// wrote there, so every read can be checked and, at the end, every key.
/// </summary>
internal sealed class SoakLoad(IDatabase database, int keys)
{
    private readonly string?[] _last = new string?[keys];
    private long _commands;
    private long _failures;
    private long _staleReads;
    private long _redirectRetries;

    public long Commands => Interlocked.Read(ref _commands);

    public long RedirectRetries => Interlocked.Read(ref _redirectRetries);

    public long Failures => Interlocked.Read(ref _failures);

    public long StaleReads => Interlocked.Read(ref _staleReads);

    private static RedisKey Key(int i) => $"soak:{i}";

    private static string Value(int i, long version) => $"{i}:{version}:".PadRight(100, 'v');

    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        for (var first = 0; first < keys; first += 5_000)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = Enumerable.Range(first, Math.Min(5_000, keys - first)).ToList();
            await Task.WhenAll(batch.Select(i => database.StringSetAsync(Key(i), Value(i, 0))));
            foreach (var i in batch)
            {
                _last[i] = Value(i, 0);
            }
        }
    }

    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(() => ClientAsync(w, 4, cancellationToken), CancellationToken.None)));

    private async Task ClientAsync(int client, int clients, CancellationToken cancellationToken)
    {
        var random = new Random(client);
        long version = 0;
        var mine = keys / clients;
        while (!cancellationToken.IsCancellationRequested)
        {
            // Distinct keys in a batch, so a read and a write of the same key never race each other.
            var batch = Enumerable.Range(0, 40).Select(_ => random.Next(mine) * clients + client).Where(i => i < keys).Distinct().ToList();
            var writes = new List<(int Key, string Value, Task<bool> Done)>();
            var reads = new List<(int Key, string? Expected, Task<RedisValue> Done)>();
            foreach (var i in batch)
            {
                if (random.Next(2) == 0)
                {
                    var value = Value(i, ++version);
                    writes.Add((i, value, FollowingRedirectsAsync(() => database.StringSetAsync(Key(i), value))));
                }
                else
                {
                    reads.Add((i, _last[i], FollowingRedirectsAsync(() => database.StringGetAsync(Key(i)))));
                }
            }

            foreach (var (i, value, done) in writes)
            {
                try
                {
                    await done;
                    _last[i] = value;
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    Interlocked.Increment(ref _failures);
                    Console.Error.WriteLine($"  SET {Key(i)} failed: {ex.Message}");
                }
            }

            foreach (var (i, expected, done) in reads)
            {
                try
                {
                    if ((string?)await done != expected)
                    {
                        Interlocked.Increment(ref _staleReads);
                    }
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    Interlocked.Increment(ref _failures);
                    Console.Error.WriteLine($"  GET {Key(i)} failed: {ex.Message}");
                }
            }

            Interlocked.Add(ref _commands, batch.Count);
        }
    }

    /// <summary>
    /// Sends a command again when StackExchange.Redis gave up on a second MOVED (it follows one per command: a slot that moved
    /// twice in quick succession fails it), as clients that follow several redirects do; up to 5 times, each counted.
    /// </summary>
    private async Task<T> FollowingRedirectsAsync<T>(Func<Task<T>> command)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await command();
            }
            catch (RedisException ex) when (attempt < 5 && ex.Message.Contains("MOVED", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _redirectRetries);
            }
        }
    }

    /// <summary>Reads every key back: how many were checked and how many do not hold the last value written.</summary>
    public async Task<(int Checked, int Wrong)> VerifyAsync(CancellationToken cancellationToken)
    {
        var wrong = 0;
        for (var first = 0; first < keys; first += 5_000)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = Enumerable.Range(first, Math.Min(5_000, keys - first)).ToList();
            var values = await Task.WhenAll(batch.Select(i => database.StringGetAsync(Key(i))));
            wrong += batch.Where((i, n) => (string?)values[n] != _last[i]).Count();
        }

        return (keys, wrong);
    }
}
