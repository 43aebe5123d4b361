using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Audit;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Parsing;
using ValkeyDashboard.Cluster.Utils;

namespace ValkeyDashboard.Cluster.Migrations;

/// <summary>A request to move slots to a primary. Text is parsed at the edge (API, UI); this is already typed.</summary>
/// <param name="Slots">The slots to move.</param>
/// <param name="TargetNodeId">The 40-hex id of the primary that receives them (checked against the cluster).</param>
/// <param name="RequestedBy">Who asks (<c>ui</c>, <c>api</c>, a token's name).</param>
/// <param name="IdempotencyKey">A retry with the same key returns the same migration and starts nothing.</param>
public sealed record MigrationRequest(SlotRangeSet Slots, string? TargetNodeId, string RequestedBy, string? IdempotencyKey = null);

/// <summary>The migration a start request produced, and whether it is new (false: an idempotent retry).</summary>
public sealed record MigrationStart(Migration Migration, bool Created);

/// <summary>
/// Runs Valkey atomic slot migrations: validates a request against the live cluster, splits it per source
/// primary, sends one <c>CLUSTER MIGRATESLOTS</c> per source, follows each Valkey job until it ends, keeps
/// the history in <see cref="MigrationStore"/>, and picks running migrations up again after a restart.
/// The REST API and the UI both go through this one service.
/// </summary>
public sealed partial class SlotMigrationService : ISlotMigrations, IHostedService, IAsyncDisposable
{
    private readonly ValkeyConnection _connection;
    private readonly ClusterMonitor _monitor;
    private readonly MigrationStore _store;
    private readonly ILogger<SlotMigrationService> _logger;
    private readonly TimeProvider _time;
    private readonly SlotMigrationOptions _options;
    private readonly AuditLog? _audit;
    private readonly ConcurrentDictionary<string, Migration> _migrations = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private readonly SubscriberChannels<Migration> _subscribers = new(() => Channel.CreateUnbounded<Migration>(new UnboundedChannelOptions { SingleReader = true }));
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly BackgroundLoop _tracker = new();

    public SlotMigrationService(
        ValkeyConnection connection,
        ClusterMonitor monitor,
        MigrationStore store,
        SlotMigrationOptions options,
        ILogger<SlotMigrationService> logger,
        TimeProvider? time = null,
        AuditLog? audit = null)
    {
        _audit = audit;
        _connection = connection;
        _monitor = monitor;
        _store = store;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Migrations that have not reached a final state.</summary>
    public IReadOnlyList<Migration> Active => [.. _migrations.Values.Where(m => !m.IsFinished).OrderBy(m => m.CreatedAt)];

    public Migration? Find(string id) => _migrations.GetValueOrDefault(id);

    /// <summary>Newest first, <paramref name="pageSize"/> per page, pages from 1.</summary>
    public (IReadOnlyList<Migration> Items, int Total) List(int page, int pageSize)
    {
        var all = _migrations.Values.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id, StringComparer.Ordinal).ToList();
        return ([.. all.Skip((page - 1) * pageSize).Take(pageSize)], all.Count);
    }

    /// <summary>Reloads the history and re-attaches to migrations that were running when the dashboard stopped.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var migration in await _store.LoadAllAsync(cancellationToken))
        {
            _migrations[migration.Id] = migration;
        }

        var unfinished = _migrations.Values.Count(m => !m.IsFinished);
        if (unfinished > 0)
        {
            _logger.LogInformation("Re-attaching to {Count} migration(s) that were running when the dashboard stopped", unfinished);
        }

        _tracker.Start(TrackAsync);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (await _tracker.StopAsync(cancellationToken))
        {
            _subscribers.CompleteAll();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    /// <summary>Validates a request and estimates what it moves, without starting anything.</summary>
    public async Task<MigrationPlan> PreflightAsync(MigrationRequest request, CancellationToken cancellationToken = default)
    {
        var slots = request.Slots;
        var snapshot = await WithFreshKeyCountsAsync(await _monitor.RefreshTopologyAsync(cancellationToken), slots);
        return MigrationPlanner.Plan(slots, request.TargetNodeId, snapshot, Active, await ReadMaxMemoryAsync(snapshot, request.TargetNodeId));
    }

    /// <summary>
    /// Starts a migration: one <c>CLUSTER MIGRATESLOTS</c> per source. Throws <see cref="RequestRefusedException"/>
    /// when the request is refused (by the checks or by Valkey before any job started); nothing changes then.
    /// </summary>
    public async Task<MigrationStart> StartAsync(MigrationRequest request, CancellationToken cancellationToken = default)
    {
        var subject = $"{request.Slots} → {DescribeNode(request.TargetNodeId)}";
        try
        {
            var start = await StartCoreAsync(request, cancellationToken);
            await AuditAsync(request.RequestedBy, "migration.start", subject, AuditOutcome.Accepted,
                start.Created ? $"migration {start.Migration.Id}" : $"migration {start.Migration.Id} (a retry with the same Idempotency-Key: nothing new started)");
            return start;
        }
        catch (RequestRefusedException ex)
        {
            await AuditAsync(request.RequestedBy, "migration.start", subject, AuditOutcome.Refused, ex.Message);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await AuditAsync(request.RequestedBy, "migration.start", subject, AuditOutcome.Failed, ErrorText.Brief(ex));
            throw;
        }
    }

    /// <summary>
    /// Parses the slot list of a start request that arrived as text (the API's edge); a malformed list is refused and
    /// recorded in the audit log like any other refused start.
    /// </summary>
    public async Task<SlotRangeSet> ParseSlotsForStartAsync(string? slots, string? targetNodeId, string requestedBy)
    {
        try
        {
            return MigrationPlanner.ParseSlots(slots);
        }
        catch (RequestRefusedException ex)
        {
            await AuditAsync(requestedBy, "migration.start", $"{Clip(slots)} → {DescribeNode(targetNodeId)}", AuditOutcome.Refused, ex.Message);
            throw;
        }
    }

    private async Task<MigrationStart> StartCoreAsync(MigrationRequest request, CancellationToken cancellationToken)
    {
        var slots = request.Slots;
        await _startLock.WaitAsync(cancellationToken);
        try
        {
            if (request.IdempotencyKey is { Length: > 0 } key && _migrations.Values.FirstOrDefault(m => m.IdempotencyKey == key) is { } existing)
            {
                if (!existing.Slots.Equals(slots) || !string.Equals(existing.TargetNodeId, request.TargetNodeId, StringComparison.OrdinalIgnoreCase))
                {
                    throw new RequestRefusedException(RefusalKind.Conflict,
                        $"Idempotency-Key \"{key}\" was used for a different request (migration {existing.Id}: slots {existing.Slots} to {MigrationPlanner.Short(existing.TargetNodeId)})",
                        conflictingMigrationId: existing.Id);
                }

                return new MigrationStart(existing, Created: false);
            }

            var running = Active;
            if (running.Count >= _options.MaxConcurrentMigrations)
            {
                throw new RequestRefusedException(RefusalKind.Conflict,
                    $"{running.Count} migrations are running ({string.Join(", ", running.Select(m => m.Id))}) and this dashboard runs at most " +
                    $"{_options.MaxConcurrentMigrations} at once (Migrations:MaxConcurrentMigrations); start this one when one of them has finished",
                    conflictingMigrationId: running[0].Id);
            }

            var snapshot = await WithFreshKeyCountsAsync(await _monitor.RefreshTopologyAsync(cancellationToken), slots);
            var plan = MigrationPlanner.Plan(slots, request.TargetNodeId, snapshot, running, await ReadMaxMemoryAsync(snapshot, request.TargetNodeId));
            var migration = await LaunchAsync(plan, request, cancellationToken);
            return new MigrationStart(migration, Created: true);
        }
        finally
        {
            _startLock.Release();
        }
    }

    /// <summary>
    /// Cancels a running migration with <c>CLUSTER CANCELSLOTMIGRATIONS</c> on each of its sources. Valkey cancels
    /// every export of a node at once, so this refuses (409) when a source also exports slots for anything else,
    /// naming it. Returns the migration once Valkey has confirmed (or after a few seconds, still running).
    /// </summary>
    public async Task<Migration> CancelAsync(string id, string requestedBy, CancellationToken cancellationToken = default)
    {
        try
        {
            var migration = await CancelCoreAsync(id, requestedBy, cancellationToken);
            await AuditAsync(requestedBy, "migration.cancel", Clip(id), AuditOutcome.Accepted, $"{migration.Slots} → {migration.TargetEndpoint}: {migration.State.ToString().ToLowerInvariant()}");
            return migration;
        }
        catch (RequestRefusedException ex)
        {
            await AuditAsync(requestedBy, "migration.cancel", Clip(id), AuditOutcome.Refused, ex.Message);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await AuditAsync(requestedBy, "migration.cancel", Clip(id), AuditOutcome.Failed, ErrorText.Brief(ex));
            throw;
        }
    }

    /// <summary>Records a change in the audit log; a log that cannot be written does not undo or block the change.</summary>
    private async Task AuditAsync(string actor, string action, string subject, AuditOutcome outcome, string? detail)
    {
        if (_audit is null)
        {
            return;
        }

        try
        {
            await _audit.RecordAsync(actor, action, subject, outcome, detail);
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or ObjectDisposedException)
        {
            _logger.LogError(ex, "Could not write the audit entry {Action} {Subject} by {Actor}", action, subject, actor);
        }
    }

    private string DescribeNode(string? id) =>
        id is not null && _monitor.Current.FindNode(id) is { } node ? node.Endpoint : Clip(id);

    /// <summary>At most 200 characters of what a client sent, for the audit log.</summary>
    private static string Clip(string? text) => Utils.ErrorText.Clip(text, 200, "(none)");

    private async Task<Migration> CancelCoreAsync(string id, string requestedBy, CancellationToken cancellationToken)
    {
        var migration = Find(id) ?? throw new RequestRefusedException(RefusalKind.NotFound, $"there is no migration {id}");
        if (migration.IsFinished)
        {
            throw new RequestRefusedException(RefusalKind.Conflict, $"migration {id} has already {migration.State.ToString().ToLowerInvariant()}; only a running migration can be cancelled");
        }

        var ownNames = migration.Jobs.Select(j => j.ValkeyJobName).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var sources = migration.Jobs.Where(j => !j.IsFinished).Select(j => j.SourceEndpoint).Distinct().ToList();
        foreach (var source in sources)
        {
            List<SlotMigrationLogEntry> exports;
            try
            {
                exports = [.. SlotMigrationLogParser.Parse(await _connection.ExecuteAsync(source, "CLUSTER", "GETSLOTMIGRATIONS"))
                    .Where(e => e.Operation == SlotMigrationOperation.Export && !e.IsFinished && !ownNames.Contains(e.Name))];
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                throw new RequestRefusedException(RefusalKind.Conflict,
                    $"source {source} is not answering, so it cannot be asked to cancel ({Utils.ErrorText.Brief(ex)}); the migration ends on its own when Valkey gives up");
            }

            if (exports.Count > 0)
            {
                var others = string.Join(", ", exports.Select(e => $"job {e.Name} (slots {e.Slots}{DescribeOwner(e.Name)})"));
                throw new RequestRefusedException(RefusalKind.Conflict,
                    $"source {source} is also exporting {others}; Valkey's CLUSTER CANCELSLOTMIGRATIONS would cancel those too, so migration {id} was not cancelled");
            }
        }

        _logger.LogInformation("Cancelling migration {MigrationId} ({Slots} to {Target}) for {RequestedBy}", id, migration.Slots, migration.TargetEndpoint, requestedBy);
        foreach (var source in sources)
        {
            try
            {
                await _connection.ExecuteAsync(source, "CLUSTER", "CANCELSLOTMIGRATIONS");
            }
            catch (RedisServerException ex) when (ex.Message.Contains("No migrations ongoing", StringComparison.OrdinalIgnoreCase))
            {
                // The job ended on its own just now; the tracker records how.
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                _logger.LogWarning("Could not send CLUSTER CANCELSLOTMIGRATIONS to {Source}: {Reason}", source, Utils.ErrorText.Brief(ex));
            }
        }

        Update(migration.Id, m => m with { Error = m.Error ?? $"cancelled by {requestedBy}" });
        Wake();
        try
        {
            return await WaitForAsync(id, m => m.IsFinished, _options.CancelConfirmationTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Valkey has not confirmed yet; the caller gets the current state and can follow the migration.
            return Find(id)!;
        }
    }

    /// <summary>Every change to any migration, as it happens (each subscriber has its own queue).</summary>
    public IAsyncEnumerable<Migration> WatchAsync(CancellationToken cancellationToken = default) => _subscribers.SubscribeAsync(cancellationToken: cancellationToken);

    /// <summary>Waits until migration <paramref name="id"/> satisfies <paramref name="predicate"/> (its current state counts).</summary>
    public async Task<Migration> WaitForAsync(string id, Func<Migration, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);

        // Subscribed before the current state is read, so no update in between is missed.
        using var updates = _subscribers.Subscribe();
        try
        {
            var current = Find(id) ?? throw new RequestRefusedException(RefusalKind.NotFound, $"there is no migration {id}");
            if (predicate(current))
            {
                return current;
            }

            await foreach (var _ in updates.Reader.ReadAllAsync(cts.Token))
            {
                var latest = Find(id)!;
                if (predicate(latest))
                {
                    return latest;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        var last = Find(id);
        throw new TimeoutException($"migration {id} did not reach the expected state within {timeout.TotalSeconds:0.#} s (it is {last?.State}, jobs: {string.Join("; ", last?.Jobs.Select(j => $"{j.SourceEndpoint} {j.ValkeyState} {j.Message}") ?? [])})");
    }

    private string DescribeOwner(string jobName)
    {
        var owner = _migrations.Values.FirstOrDefault(m => m.Jobs.Any(j => j.ValkeyJobName == jobName));
        return owner is null ? ", not started by this dashboard" : $", migration {owner.Id}";
    }

    /// <summary>
    /// The snapshot with the key counts of <paramref name="slots"/> read now from their owners
    /// (<c>CLUSTER SLOT-STATS SLOTSRANGE</c> per range), so the estimate and the progress baseline are exact,
    /// not up to a poll interval old. Counts that cannot be read keep the monitor's figure.
    /// </summary>
    private async Task<ClusterSnapshot> WithFreshKeyCountsAsync(ClusterSnapshot snapshot, SlotRangeSet slots)
    {
        var keys = snapshot.SlotStatistics.KeyCount.ToArray();
        var reads = slots.Slots()
            .GroupBy(s => snapshot.SlotOwners[s])
            .Where(g => g.Key is not null && snapshot.FindNode(g.Key) is { Health: NodeHealth.Online })
            .SelectMany(g => SlotRangeSet.FromSlots(g).Ranges.Select(r => (Endpoint: snapshot.FindNode(g.Key!)!.Endpoint, Range: r)))
            .Select(async read =>
            {
                try
                {
                    return SlotStatsParser.Parse(await _connection.ExecuteAsync(read.Endpoint, "CLUSTER", "SLOT-STATS", "SLOTSRANGE", read.Range.Start, read.Range.End));
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException or ValkeyReplyException)
                {
                    return [];
                }
            });
        foreach (var entries in await Task.WhenAll(reads))
        {
            foreach (var entry in entries)
            {
                keys[entry.Slot] = entry.KeyCount;
            }
        }

        var stats = snapshot.SlotStatistics;
        return snapshot with { SlotStatistics = new SlotStatistics(keys, stats.CpuUsec?.ToArray(), stats.NetworkBytesIn?.ToArray(), stats.NetworkBytesOut?.ToArray()) };
    }

    private async Task<long> ReadMaxMemoryAsync(ClusterSnapshot snapshot, string? targetNodeId)
    {
        var target = targetNodeId is null ? null : snapshot.FindNode(targetNodeId);
        if (target is null || !target.IsPrimary || target.Health != NodeHealth.Online)
        {
            return 0;
        }

        try
        {
            var reply = (RedisResult[])(await _connection.ExecuteAsync(target.Endpoint, "CONFIG", "GET", "maxmemory"))!;
            return reply.Length == 2 && long.TryParse((string?)reply[1], out var bytes) ? bytes : 0;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new RequestRefusedException(RefusalKind.Conflict, $"target {target.Endpoint} did not answer: {Utils.ErrorText.Brief(ex)}");
        }
    }

    private Migration Update(string id, Func<Migration, Migration> change)
    {
        var updated = _migrations.AddOrUpdate(id, _ => throw new KeyNotFoundException(id), (_, m) => change(m));
        Publish(updated);
        return updated;
    }

    private void Publish(Migration migration) => _subscribers.Publish(migration);

    private void Wake() => _wake.Writer.TryWrite(true);
}

/// <summary>How closely the migration service follows Valkey.</summary>
public sealed class SlotMigrationOptions
{
    /// <summary>How often running jobs' states are read (<c>CLUSTER GETSLOTMIGRATIONS</c>, cheap).</summary>
    public TimeSpan TrackInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How often key and byte progress is measured (<c>COUNTKEYSINSLOT</c> over the job's slots).</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a cancel request waits for Valkey to confirm before answering with the current state.</summary>
    public TimeSpan CancelConfirmationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a job may stay unobservable (source and target both silent) before ownership decides its outcome.</summary>
    public TimeSpan LostJobTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most migrations running at once in the cluster (a migration with two sources counts once). More would compete
    /// for the same nodes' CPU and network and make each slower; a start beyond it is refused (409).
    /// </summary>
    public int MaxConcurrentMigrations { get; set; } = 4;
}
