using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Benchmarks;

/// <summary>
/// The benchmark's own connection to the cluster (StackExchange.Redis, configured as the dashboard configures its
/// own): loading keys, per-node commands, raw atomic migrations, and the checks between measurements.
/// </summary>
internal sealed class ValkeyCluster : IAsyncDisposable
{
    /// <summary>How long one migration (either direction, any method) may take before the run fails.</summary>
    public static readonly TimeSpan MigrationTimeout = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan KeyCountTimeout = TimeSpan.FromSeconds(30);
    private const int LoadBatch = 10_000;
    private const int ValueBytes = 100;

    private readonly ConnectionMultiplexer _multiplexer;

    private ValkeyCluster(ConnectionMultiplexer multiplexer, string seed)
    {
        _multiplexer = multiplexer;
        Seed = seed;
    }

    /// <summary>The cluster's keys, for loads of the benchmark's own.</summary>
    public IDatabase Database => _multiplexer.GetDatabase();

    /// <summary>The endpoint the layout is read from between measurements.</summary>
    public string Seed { get; }

    /// <param name="seeds">Nodes to discover the cluster from.</param>
    /// <param name="password">The embedded cluster's password (the dashboard keeps it in its data folder).</param>
    public static async Task<ValkeyCluster> ConnectAsync(IReadOnlyList<string> seeds, string password)
    {
        var configuration = ValkeyConnection.CreateConfiguration(new ValkeyOptions { CommandTimeout = TimeSpan.FromSeconds(15), Password = password }, seeds);
        configuration.ClientName = "valkey-dashboard-benchmark";
        return new ValkeyCluster(await ConnectionMultiplexer.ConnectAsync(configuration), seeds[0]);
    }

    /// <summary>The hash slot of <paramref name="key"/>.</summary>
    public int HashSlot(string key) => _multiplexer.HashSlot(key);

    /// <summary>Sends one command to the node at <paramref name="endpoint"/> (re-reading the topology first for a node that joined since).</summary>
    public async Task<RedisResult> ExecuteAsync(string endpoint, string command, params object[] args)
    {
        if (!_multiplexer.GetServers().Any(s => s.IsConnected && s.EndPoint.ToString() == endpoint))
        {
            // A node that joined since the benchmark connected: re-read the topology and wait until it is connected.
            await Poll.UntilAsync($"a connection to {endpoint}", async () =>
            {
                await _multiplexer.ConfigureAsync();
                return _multiplexer.GetServers().Any(s => s.IsConnected && s.EndPoint.ToString() == endpoint) ? null : "not connected yet";
            }, SettleTimeout, Poll.SetupInterval, CancellationToken.None);
        }

        return await _multiplexer.GetServer(endpoint).ExecuteAsync(command, args);
    }

    public async Task<SlotLayout> ReadLayoutAsync(string endpoint) =>
        SlotLayout.From(ClusterShardsParser.Parse(await ExecuteAsync(endpoint, "CLUSTER", "SHARDS")));

    public async Task<string> ServerVersionAsync(string endpoint) =>
        InfoReply.Parse((string)(await ExecuteAsync(endpoint, "INFO", "server"))!).ServerVersion ?? "unknown";

    /// <summary>Writes <c>bench:0</c> … <c>bench:{keys-1}</c> with 100-byte values, 10,000 requests in flight at a time.</summary>
    public async Task<TimeSpan> LoadKeysAsync(int keys, CancellationToken cancellationToken)
    {
        var value = new byte[ValueBytes];
        new Random(42).NextBytes(value);
        var database = _multiplexer.GetDatabase();
        var clock = Stopwatch.StartNew();
        var batch = new List<Task<bool>>(LoadBatch);
        for (var first = 0; first < keys; first += LoadBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            batch.Clear();
            for (var i = first; i < Math.Min(keys, first + LoadBatch); i++)
            {
                batch.Add(database.StringSetAsync($"bench:{i}", value));
            }

            await Task.WhenAll(batch);
        }

        return clock.Elapsed;
    }

    /// <summary>
    /// Reads and writes random loaded keys at about <paramref name="opsPerSecond"/> (half GET, half SET) until cancelled;
    /// returns how many commands ran and how many failed.
    /// </summary>
    public async Task<(long Commands, long Failures)> RunLoadAsync(int keys, int opsPerSecond, CancellationToken cancellationToken)
    {
        var result = await RunCountedLoadAsync(keys, opsPerSecond, cancellationToken);
        return (result.Commands, result.Failures);
    }

    /// <summary>
    /// Reads and writes random loaded keys at about <paramref name="opsPerSecond"/> (half GET, half SET) until cancelled;
    /// returns how many commands ran and how many failed, by the first word of the error (e.g. <c>TRYAGAIN</c>, <c>MOVED</c>).
    /// </summary>
    public async Task<ClientLoadResult> RunCountedLoadAsync(int keys, int opsPerSecond, CancellationToken cancellationToken)
    {
        var database = _multiplexer.GetDatabase();
        var random = new Random(7);
        var value = new byte[ValueBytes];
        long commands = 0;
        var failures = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var tick = TimeSpan.FromMilliseconds(100);
        using var timer = new PeriodicTimer(tick);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var batch = new List<Task>(opsPerSecond / 10);
                for (var i = 0; i < opsPerSecond / 10; i++)
                {
                    var key = $"bench:{random.Next(keys)}";
                    batch.Add(i % 2 == 0 ? database.StringGetAsync(key) : database.StringSetAsync(key, value));
                }

                try
                {
                    await Task.WhenAll(batch);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    foreach (var failed in batch.Where(t => t.IsFaulted))
                    {
                        var kind = ErrorKind(failed.Exception!.GetBaseException());
                        failures[kind] = failures.GetValueOrDefault(kind) + 1;
                    }
                }

                commands += batch.Count;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        return new ClientLoadResult(commands, failures);
    }

    /// <summary>
    /// The error's first word when it is a server error code (<c>TRYAGAIN</c>, <c>CLUSTERDOWN</c>), else the exception's
    /// type and the start of its message (e.g. a client-side refusal), with digits dropped so that kinds group.
    /// </summary>
    private static string ErrorKind(Exception ex)
    {
        var word = ex.Message.Split(' ', 2)[0];
        if (ex is RedisServerException && word.Length > 1 && word.All(c => char.IsAsciiLetterUpper(c) || c == '_'))
        {
            return word;
        }

        var start = new string([.. ex.Message.Take(60).Where(c => !char.IsAsciiDigit(c))]).Trim();
        return $"{ex.GetType().Name}: \"{start}\"";
    }

    /// <summary>Σ <c>CLUSTER COUNTKEYSINSLOT</c> over <paramref name="slots"/> on one node, pipelined.</summary>
    public async Task<long> CountKeysAsync(string endpoint, SlotRangeSet slots)
    {
        var counts = await Task.WhenAll(slots.Slots().Select(s => ExecuteAsync(endpoint, "CLUSTER", "COUNTKEYSINSLOT", s)));
        return counts.Sum(c => (long)c);
    }

    /// <summary>Waits until <c>DBSIZE</c> summed over the primaries is <paramref name="expected"/>; fails loudly when keys stay missing.</summary>
    public async Task WaitForKeyCountAsync(long expected, string after, CancellationToken cancellationToken)
    {
        await Poll.UntilAsync($"{expected:N0} keys on the primaries after {after} (keys lost?)", async () =>
        {
            var layout = await ReadLayoutAsync(Seed);
            var sizes = new List<(string Endpoint, long Keys)>();
            foreach (var primary in layout.Primaries)
            {
                var endpoint = layout.Endpoints[primary];
                sizes.Add((endpoint, (long)await ExecuteAsync(endpoint, "DBSIZE")));
            }

            var total = sizes.Sum(s => s.Keys);
            return total == expected
                ? null
                : $"DBSIZE summed over the primaries is {total:N0}, not {expected:N0} ({string.Join(", ", sizes.Select(s => $"{s.Endpoint}: {s.Keys:N0}"))})";
        }, KeyCountTimeout, Poll.SetupInterval, cancellationToken);
    }

    /// <summary>
    /// Waits until the cluster is quiet and consistent: every node says <c>cluster_state:ok</c> and shows the same slot
    /// layout, no primary forks (snapshot, AOF rewrite), runs a migration job or has a legacy slot open, and
    /// <paramref name="check"/> accepts the layout (returns null). Returns that layout.
    /// </summary>
    public async Task<SlotLayout> WaitUntilSettledAsync(string what, Func<SlotLayout, string?> check, CancellationToken cancellationToken)
    {
        SlotLayout? settled = null;
        await Poll.UntilAsync(what, async () =>
        {
            var layout = await ReadLayoutAsync(Seed);
            var reason = check(layout) ?? await NotSettledBecauseAsync(layout);
            settled = reason is null ? layout : null;
            return reason;
        }, SettleTimeout, Poll.SetupInterval, cancellationToken);
        return settled!;
    }

    /// <summary>
    /// Raw atomic migration: <c>CLUSTER MIGRATESLOTS</c> to the source, then <c>CLUSTER GETSLOTMIGRATIONS</c> on the source
    /// every <paramref name="pollInterval"/> until the new export job reports <c>success</c>. Returns the time from
    /// sending the command to the poll that saw <c>success</c>.
    /// </summary>
    public async Task<TimeSpan> MigrateAsync(string sourceEndpoint, SlotRangeSet slots, string targetNodeId, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        var known = (await ReadMigrationLogAsync(sourceEndpoint)).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        try
        {
            await ExecuteAsync(sourceEndpoint, "CLUSTER", MigrateSlotsArguments(slots, targetNodeId));
        }
        catch (RedisServerException ex)
        {
            throw new BenchmarkFailedException($"{sourceEndpoint} refused CLUSTER MIGRATESLOTS {slots} to {targetNodeId}: {ex.Message}", ex);
        }

        while (true)
        {
            var log = await ReadMigrationLogAsync(sourceEndpoint);
            var job = log.FirstOrDefault(e => e.Operation == SlotMigrationOperation.Export && e.Slots.Equals(slots) && !known.Contains(e.Name));
            switch (job?.State)
            {
                case "success":
                    return clock.Elapsed;
                case "failed" or "cancelled":
                    throw new BenchmarkFailedException($"migration job {job.Name} of slots {slots} from {sourceEndpoint} ended {job.State}: {job.Message}");
            }

            if (clock.Elapsed > MigrationTimeout)
            {
                throw new BenchmarkFailedException($"migration of slots {slots} from {sourceEndpoint} did not succeed within {MigrationTimeout.TotalMinutes:0} min (job: {job?.Name ?? "not found"}, state {job?.State ?? "-"})");
            }

            await Task.Delay(pollInterval, cancellationToken);
        }
    }

    /// <summary>Moves slots with raw atomic migrations until the layout is <paramref name="target"/> again (untimed).</summary>
    public async Task RestoreAsync(SlotLayout target, CancellationToken cancellationToken)
    {
        var current = await ReadLayoutAsync(Seed);
        foreach (var (from, to, slots) in current.MovesTo(target))
        {
            Console.WriteLine($"    restoring: slots {slots} from {current.Endpoints[from]} back to {current.Endpoints[to]}");
            await MigrateAsync(current.Endpoints[from], slots, to, Poll.SetupInterval, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _multiplexer.CloseAsync();
        await _multiplexer.DisposeAsync();
    }

    private async Task<string?> NotSettledBecauseAsync(SlotLayout layout)
    {
        foreach (var (id, endpoint) in layout.Endpoints)
        {
            var clusterInfo = InfoReply.Parse((string)(await ExecuteAsync(endpoint, "CLUSTER", "INFO"))!);
            if (clusterInfo["cluster_state"] != "ok")
            {
                return $"{endpoint} reports cluster_state:{clusterInfo["cluster_state"]}";
            }

            if (!(await ReadLayoutAsync(endpoint)).SameOwnership(layout))
            {
                return $"{endpoint} does not agree on slot ownership yet";
            }

            if (!layout.Primaries.Contains(id))
            {
                continue;
            }

            var persistence = InfoReply.Parse((string)(await ExecuteAsync(endpoint, "INFO", "persistence"))!);
            if (persistence.GetInt64("rdb_bgsave_in_progress") == 1 || persistence.GetInt64("aof_rewrite_in_progress") == 1 || persistence.GetInt64("aof_rewrite_scheduled") == 1)
            {
                return $"{endpoint} is writing a snapshot or rewriting its AOF";
            }

            if ((await ReadMigrationLogAsync(endpoint)).FirstOrDefault(e => !e.IsFinished) is { } running)
            {
                return $"{endpoint} still has migration job {running.Name} in state {running.State}";
            }

            var nodes = (string)(await ExecuteAsync(endpoint, "CLUSTER", "NODES"))!;
            if (nodes.Contains("->-", StringComparison.Ordinal) || nodes.Contains("-<-", StringComparison.Ordinal))
            {
                return $"{endpoint} has a slot open for a legacy (SETSLOT) migration";
            }
        }

        return null;
    }

    private async Task<IReadOnlyList<SlotMigrationLogEntry>> ReadMigrationLogAsync(string endpoint) =>
        SlotMigrationLogParser.Parse(await ExecuteAsync(endpoint, "CLUSTER", "GETSLOTMIGRATIONS"));

    private static object[] MigrateSlotsArguments(SlotRangeSet slots, string targetNodeId) =>
        [
            "MIGRATESLOTS", "SLOTSRANGE",
            .. slots.Ranges.SelectMany(r => new object[] { r.Start.ToString(CultureInfo.InvariantCulture), r.End.ToString(CultureInfo.InvariantCulture) }),
            "NODE", targetNodeId,
        ];
}

/// <summary>What a steady client load saw: commands sent, and failed commands by kind of error.</summary>
internal sealed record ClientLoadResult(long Commands, IReadOnlyDictionary<string, long> FailuresByKind)
{
    public long Failures => FailuresByKind.Values.Sum();
}
