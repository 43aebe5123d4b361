using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Parsing;
using ValkeyDashboard.Cluster.Telemetry;
using ValkeyDashboard.Cluster.Text;

using SlotRange = ValkeyDashboard.Cluster.Model.SlotRange;

namespace ValkeyDashboard.Cluster.Monitoring;

/// <summary>
/// The one reader of the cluster: every poll interval it reads <c>CLUSTER SHARDS</c>,
/// <c>CLUSTER INFO</c>, <c>INFO</c> of every node and the per-slot figures of every primary, and publishes an immutable
/// <see cref="ClusterSnapshot"/>. It sends a node only what its server has (<see cref="NodeCapabilities"/> from its INFO):
/// <c>CLUSTER SLOT-STATS</c> where there is one, else key counts from <see cref="KeyCountSweeps"/> at their slower cadence. Pages, the API and the hub read
/// <see cref="Current"/> or subscribe with <see cref="WatchAsync"/> (current snapshot first, then each new one).
/// </summary>
public sealed class ClusterMonitor : IClusterSnapshotSource, IHostedService, IAsyncDisposable
{
    /// <summary>The INFO sections the snapshot reads (version, memory, loading, ops/s, a replica's link, keys): no more, since every node is asked every poll.</summary>
    private static readonly string[] InfoSections = ["server", "memory", "persistence", "stats", "replication", "keyspace"];

    /// <summary>
    /// The INFO fields a snapshot reads (server and version, memory, loading, ops/s, a replica's link to its primary; the keyspace lines are always kept):
    /// only these become strings, the rest of each reply is skipped where it lies.
    /// </summary>
    public static readonly FrozenSet<string> InfoFields = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "server_name", "valkey_version", "redis_version", "used_memory", "loading", "async_loading", "instantaneous_ops_per_sec",
        "master_link_status", "master_sync_in_progress");

    private readonly ValkeyAdminClient _valkey;
    private readonly IClusterSeedSource _seeds;
    private readonly ValkeyOptions _options;
    private readonly ILogger<ClusterMonitor> _logger;
    private readonly SubscriberChannels<ClusterSnapshot> _subscribers = new(() => Channel.CreateBounded<ClusterSnapshot>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = false }));
    private readonly TimeProvider _timeProvider;
    private readonly BackgroundLoop _loop = new();
    private ClusterSnapshot _current = ClusterSnapshot.Initial;
    private string? _lastError;
    private readonly Lock _publishLock = new();
    private long _topologyTickets;
    private TopologyRead? _latestTopology;
    private IReadOnlyDictionary<string, NodeProbe> _lastProbes = new Dictionary<string, NodeProbe>();
    private IReadOnlyDictionary<string, List<SlotStatsEntry>> _lastSlotStats = new Dictionary<string, List<SlotStatsEntry>>();
    private IReadOnlyDictionary<string, bool> _lastReportsLoad = new Dictionary<string, bool>();
    private readonly KeyCountSweeps _sweeps;
    private readonly SlotStatsSettingChecks _settingChecks;
    private readonly DashboardMetrics? _metrics;
    private readonly SemaphoreSlim _nodeRequests;
    private MonitorCadence _cadence;

    public ClusterMonitor(
        ValkeyAdminClient valkey,
        IClusterSeedSource seeds,
        IOptions<ValkeyOptions> options,
        ILogger<ClusterMonitor> logger,
        TimeProvider? timeProvider = null,
        DashboardMetrics? metrics = null)
    {
        _metrics = metrics;
        _valkey = valkey;
        _seeds = seeds;
        _options = options.Value;
        _logger = logger;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _sweeps = new KeyCountSweeps(valkey, _options.Monitor, _timeProvider);
        _settingChecks = new SlotStatsSettingChecks(valkey, _options.Monitor.KeyCountSweepInterval, _timeProvider);
        _nodeRequests = new SemaphoreSlim(_options.Monitor.MaxConcurrentNodeRequests);
        _cadence = MonitorCadence.Initial(_options.PollInterval);
    }

    /// <summary>How often the monitor reads the cluster now (stretched while polls do not fit the configured interval).</summary>
    public MonitorCadence Cadence => Volatile.Read(ref _cadence);

    /// <summary>The latest snapshot (<see cref="ClusterSnapshot.Initial"/> before the first poll).</summary>
    public ClusterSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Reads the cluster once (so the first page and API call already see it), then keeps polling in the background.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await PollOnceAsync(cancellationToken);
        _loop.Start(RunAsync);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (await _loop.StopAsync(cancellationToken))
        {
            _subscribers.CompleteAll();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    /// <summary>
    /// The current snapshot, then every new one. A slow subscriber skips snapshots it had no time
    /// for and always gets the newest (each subscriber has its own one-slot channel).
    /// </summary>
    public IAsyncEnumerable<ClusterSnapshot> WatchAsync(CancellationToken cancellationToken = default) =>
        _subscribers.SubscribeAsync(() => Current, cancellationToken);

    /// <summary>Waits for a snapshot that satisfies <paramref name="predicate"/> (the current one counts).</summary>
    public async Task<ClusterSnapshot> WaitForAsync(Func<ClusterSnapshot, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        ClusterSnapshot? last = null;
        try
        {
            await foreach (var snapshot in WatchAsync(cts.Token))
            {
                last = snapshot;
                if (predicate(snapshot))
                {
                    return snapshot;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        throw new TimeoutException($"no cluster snapshot matched within {timeout.TotalSeconds:0.#} s (last: state {last?.State}, {last?.Nodes.Length ?? 0} nodes{(last?.Error is { } e ? ", error " + e : string.Empty)})");
    }

    /// <summary>Reads the cluster once and publishes the result. The loop calls this every interval.</summary>
    public async Task<ClusterSnapshot> PollOnceAsync(CancellationToken cancellationToken = default)
    {
        var started = _timeProvider.GetTimestamp();
        var failed = false;
        try
        {
            var topology = await ReadTopologyAsync(cancellationToken);
            var nodes = topology.Shards.SelectMany(s => s.Nodes).ToList();
            var probes = (await Task.WhenAll(nodes.Select(node => LimitedAsync(async () => (node.Id, Probe: await ProbeAsync(node.Endpoint)), cancellationToken))))
                .ToDictionary(p => p.Id, p => p.Probe);
            var capabilities = probes.ToDictionary(p => p.Key, p => p.Value.Info is null ? NodeCapabilities.None : NodeCapabilityNames.FromInfo(p.Value.Info));
            var primaries = topology.Shards
                .Where(s => s.Primary is not null && capabilities[s.Primary.Id] != NodeCapabilities.None)
                .Select(s => (Node: s.Primary!, s.Slots))
                .ToList();
            _sweeps.Keep(primaries.Select(p => p.Node.Id).ToHashSet(StringComparer.Ordinal));
            var slotStats = (await Task.WhenAll(primaries.Select(p => LimitedAsync(
                    async () => (p.Node.Id, Stats: await ReadSlotFiguresAsync(p.Node, p.Slots, capabilities[p.Node.Id], cancellationToken)), cancellationToken))))
                .Where(s => s.Stats is not null)
                .ToDictionary(s => s.Id, s => s.Stats!);
            var reportsLoad = await ReportsLoadAsync(nodes, capabilities, slotStats, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            UpdateCadence(started);
            return Publish(topology, probes, slotStats, reportsLoad);
        }
        catch (ClusterUnreachableException ex)
        {
            failed = true;
            UpdateCadence(started);
            return PublishUnreachable(ex);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            failed = true;
            throw;
        }
        finally
        {
            _metrics?.RecordPoll(_timeProvider.GetElapsedTime(started), failed);
        }
    }

    /// <summary>Runs one request to one node when fewer than <see cref="MonitorOptions.MaxConcurrentNodeRequests"/> are under way.</summary>
    private async Task<T> LimitedAsync<T>(Func<Task<T>> request, CancellationToken cancellationToken)
    {
        await _nodeRequests.WaitAsync(cancellationToken);
        try
        {
            return await request();
        }
        finally
        {
            _nodeRequests.Release();
        }
    }

    private void UpdateCadence(long started)
    {
        var before = Cadence;
        var after = before.After(_timeProvider.GetElapsedTime(started), _options.Monitor.MaxPollInterval);
        Volatile.Write(ref _cadence, after);
        if (after.IsSlow && (!before.IsSlow || after.Interval > before.Interval))
        {
            _logger.LogWarning("A poll of the cluster took {PollDuration} ms, longer than the poll interval of {ConfiguredInterval} ms allows: reading every {Interval} ms until polls fit again",
                (long)after.LastPollDuration.TotalMilliseconds, (long)after.ConfiguredInterval.TotalMilliseconds, (long)after.Interval.TotalMilliseconds);
        }
        else if (!after.IsSlow && before.IsSlow)
        {
            _logger.LogInformation("Polls fit the poll interval again ({PollDuration} ms): reading every {Interval} ms",
                (long)after.LastPollDuration.TotalMilliseconds, (long)after.Interval.TotalMilliseconds);
        }
    }

    /// <summary>
    /// Re-reads only the topology (<c>CLUSTER SHARDS</c>, <c>CLUSTER INFO</c>) and publishes it with the node
    /// figures and slot statistics of the last full poll: a few milliseconds, never waiting for a full poll in
    /// progress, for callers that need ownership as it is now (migration checks, a migration's end).
    /// </summary>
    public async Task<ClusterSnapshot> RefreshTopologyAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var topology = await ReadTopologyAsync(cancellationToken);
            var known = _lastProbes;
            var newcomers = topology.Shards.SelectMany(s => s.Nodes).Where(n => !known.ContainsKey(n.Id)).ToList();
            var probes = newcomers.Count == 0
                ? null
                : new Dictionary<string, NodeProbe>(known).Concat(await Task.WhenAll(newcomers.Select(n => LimitedAsync(
                    async () => KeyValuePair.Create(n.Id, await ProbeAsync(n.Endpoint)), cancellationToken)))).ToDictionary();
            return Publish(topology, probes, slotStats: null, reportsLoad: null);
        }
        catch (ClusterUnreachableException ex)
        {
            return PublishUnreachable(ex);
        }
    }

    /// <summary>
    /// Builds and publishes a snapshot from the newest topology read so far (by when the read started) and the
    /// given or last node figures: a full poll that started before a topology refresh cannot put back the older
    /// ownership it read, and versions increase in publishing order.
    /// </summary>
    private ClusterSnapshot Publish(
        TopologyRead topology,
        IReadOnlyDictionary<string, NodeProbe>? probes,
        IReadOnlyDictionary<string, List<SlotStatsEntry>>? slotStats,
        IReadOnlyDictionary<string, bool>? reportsLoad)
    {
        lock (_publishLock)
        {
            if (_latestTopology is null || topology.Ticket > _latestTopology.Ticket)
            {
                _latestTopology = topology;
            }

            _lastProbes = probes ?? _lastProbes;
            _lastSlotStats = slotStats ?? _lastSlotStats;
            _lastReportsLoad = reportsLoad ?? _lastReportsLoad;
            var snapshot = ClusterSnapshotBuilder.Build(
                _latestTopology.Shards, _latestTopology.ClusterInfo, _lastProbes, _lastSlotStats, _timeProvider.GetUtcNow(), Current.Version + 1, _lastReportsLoad)
                with { Cadence = Cadence };
            LogTransitions(snapshot);
            Publish(snapshot);
            return snapshot;
        }
    }

    private ClusterSnapshot PublishUnreachable(Exception ex)
    {
        lock (_publishLock)
        {
            var snapshot = ClusterSnapshotBuilder.Unreachable(Current, ErrorText.Brief(ex), _timeProvider.GetUtcNow(), Current.Version + 1) with { Cadence = Cadence };
            LogTransitions(snapshot);
            Publish(snapshot);
            return snapshot;
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A bug in one poll must not stop the dashboard from watching the cluster.
                _logger.LogError(ex, "Cluster poll failed");
            }

            try
            {
                // Polls start one interval apart (the stretched one while they do not fit), not one interval after each other's end.
                await Task.Delay(Cadence.DelayAfterPoll, _timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Topology from the first node that answers: the last known online nodes first, then the seeds.</summary>
    private async Task<TopologyRead> ReadTopologyAsync(CancellationToken cancellationToken)
    {
        // Numbered before anything is sent: a read that starts later is newer, whenever it finishes.
        var ticket = Interlocked.Increment(ref _topologyTickets);
        var candidates = Current.Nodes
            .OrderBy(n => n.Health == NodeHealth.Online ? 0 : 1)
            .Select(n => n.Endpoint)
            .Concat(_seeds.GetSeedEndpoints())
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();

        Exception? last = null;
        foreach (var endpoint in candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var shards = await _valkey.ClusterShardsAsync(endpoint);
                var clusterInfo = await _valkey.ClusterInfoAsync(endpoint);
                return new TopologyRead(ticket, shards, clusterInfo);
            }
            catch (ValkeyException ex)
            {
                last = ex;
            }
        }

        throw new ClusterUnreachableException(
            $"no node of the cluster answered (tried {string.Join(", ", candidates)}): {(last is null ? "no endpoints" : ErrorText.Brief(last))}", last);
    }

    private async Task<NodeProbe> ProbeAsync(string endpoint)
    {
        try
        {
            return new NodeProbe(await _valkey.InfoAsync(endpoint, InfoFields, InfoSections), null);
        }
        catch (ValkeyErrorException ex) when (ex.IsLoading)
        {
            return new NodeProbe(InfoReply.Parse("loading:1"), null);
        }
        catch (ValkeyException ex)
        {
            return new NodeProbe(null, ex.Message);
        }
    }

    /// <summary>
    /// A primary's per-slot figures: <c>CLUSTER SLOT-STATS</c> where its server has it, else the key counts of
    /// <see cref="KeyCountSweeps"/>; null when the node did not answer (its figures are then left out of this poll).
    /// </summary>
    private async Task<List<SlotStatsEntry>?> ReadSlotFiguresAsync(ShardNode primary, SlotRangeSet slots, NodeCapabilities capabilities, CancellationToken cancellationToken)
    {
        try
        {
            return capabilities.HasFlag(NodeCapabilities.SlotStats)
                ? await _valkey.SlotStatsAsync(primary.Endpoint, SlotRange.All, cancellationToken)
                : await _sweeps.CountsAsync(primary.Id, primary.Endpoint, slots, cancellationToken);
        }
        catch (ValkeyException ex)
        {
            _logger.LogDebug(ex, "Per-slot figures of {Endpoint} could not be read", primary.Endpoint);
            return null;
        }
    }

    /// <summary>
    /// Per node with <c>CLUSTER SLOT-STATS</c>, whether they carry CPU and network: from its reply where that tells,
    /// else from its setting (<see cref="SlotStatsSettingChecks"/>, asked at the sweep cadence).
    /// </summary>
    private async Task<Dictionary<string, bool>> ReportsLoadAsync(
        List<ShardNode> nodes, Dictionary<string, NodeCapabilities> capabilities, Dictionary<string, List<SlotStatsEntry>> slotStats, CancellationToken cancellationToken)
    {
        var answers = await Task.WhenAll(nodes
            .Where(n => capabilities[n.Id].HasFlag(NodeCapabilities.SlotStats))
            .Select(n => slotStats.TryGetValue(n.Id, out var reply) && NodeCapabilityNames.ReportsLoad(reply) is { } known
                ? Task.FromResult((n.Id, Load: (bool?)known))
                : LimitedAsync(async () => (n.Id, Load: await _settingChecks.EnabledAsync(n.Id, n.Endpoint)), cancellationToken)));
        return answers.Where(a => a.Load is not null).ToDictionary(a => a.Id, a => a.Load!.Value, StringComparer.Ordinal);
    }

    private void Publish(ClusterSnapshot snapshot) => _subscribers.Publish(snapshot, () => Volatile.Write(ref _current, snapshot));

    private void LogTransitions(ClusterSnapshot snapshot)
    {
        var previous = Current;
        if (snapshot.Error != _lastError)
        {
            if (snapshot.Error is not null)
            {
                _logger.LogWarning("Cluster unreachable: {Error}", snapshot.Error);
            }
            else if (_lastError is not null)
            {
                _logger.LogInformation("Cluster reachable again");
            }

            _lastError = snapshot.Error;
        }

        if (snapshot.State != previous.State)
        {
            _logger.LogInformation("Cluster state {PreviousState} -> {State}", previous.State, snapshot.State);
        }

        // By id, not FindNode per node: that is quadratic, a million comparisons a poll at 1,000 nodes.
        var healthBefore = new Dictionary<string, NodeHealth>(previous.Nodes.Length, StringComparer.OrdinalIgnoreCase);
        foreach (var node in previous.Nodes)
        {
            healthBefore.TryAdd(node.Id, node.Health);
        }

        foreach (var node in snapshot.Nodes)
        {
            if (healthBefore.TryGetValue(node.Id, out var before) && before != node.Health)
            {
                _logger.LogInformation("Node {NodeId} ({Endpoint}) is now {Health}{Reason}", node.Id, node.Endpoint, node.Health, node.Error is null ? string.Empty : ": " + node.Error);
            }
        }
    }

    /// <summary>No node of the cluster answered the topology read; the message says which were tried and why.</summary>
    private sealed class ClusterUnreachableException(string message, Exception? inner) : Exception(message, inner);

    /// <summary>One read of <c>CLUSTER SHARDS</c> and <c>CLUSTER INFO</c>, numbered in the order reads started.</summary>
    private sealed record TopologyRead(long Ticket, ImmutableArray<ShardInfo> Shards, InfoReply ClusterInfo);
}
