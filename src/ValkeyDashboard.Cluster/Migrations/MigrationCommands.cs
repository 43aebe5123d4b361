using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Audit;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Text;

namespace ValkeyDashboard.Cluster.Migrations;

/// <summary>
/// What may be asked of migrations — preflight, start, cancel — validated against the live cluster and the running
/// migrations, carried out through the engine, recorded in the registry and the audit log. Where a migration request
/// is validated: <see cref="MigrationPlanner.Plan"/>, called from here. The REST API and the UI both go through this
/// class (as <see cref="ISlotMigrations"/>), whatever starts them.
/// </summary>
public sealed class MigrationCommands(
    MigrationRegistry registry,
    MigrationEngines engines,
    ValkeyAdminClient valkey,
    ClusterMonitor monitor,
    AuditLog audit,
    IOptions<SlotMigrationOptions> options,
    TimeProvider time,
    ILogger<MigrationCommands> logger) : ISlotMigrations, IDisposable
{
    private readonly SemaphoreSlim _startLock = new(1, 1);

    public IReadOnlyList<Migration> Active => registry.Active;

    public Migration? Find(string id) => registry.Find(id);

    public (IReadOnlyList<Migration> Items, int Total) List(int page, int pageSize) => registry.List(page, pageSize);

    public IAsyncEnumerable<Migration> WatchAsync(CancellationToken cancellationToken = default) => registry.WatchAsync(cancellationToken);

    /// <summary>Validates a request and estimates what it moves, without starting anything.</summary>
    public async Task<MigrationPlan> PreflightAsync(MigrationRequest request, CancellationToken cancellationToken = default)
    {
        var snapshot = await WithFreshKeyCountsAsync(await monitor.RefreshTopologyAsync(cancellationToken), request.Slots, cancellationToken);
        return MigrationPlanner.Plan(request.Slots, request.TargetNodeId, snapshot, registry.Active, await ReadMaxMemoryAsync(snapshot, request.TargetNodeId), request.Engine);
    }

    /// <summary>
    /// Starts a migration: one job per source. Throws <see cref="RequestRefusedException"/> when the request is refused
    /// (by the checks or by Valkey before any job started); nothing changes then. Audited either way.
    /// </summary>
    public Task<MigrationStart> StartAsync(MigrationRequest request, CancellationToken cancellationToken = default) =>
        audit.RunAsync(
            request.RequestedBy, AuditActions.MigrationStart, StartSubject(request.Slots.ToString(), request.TargetNodeId),
            () => StartCoreAsync(request, cancellationToken),
            start => start.Created ? $"migration {start.Migration.Id}" : $"migration {start.Migration.Id} (a retry with the same Idempotency-Key: nothing new started)");

    /// <summary>
    /// Parses the slot list and the engine of a start request that arrived as text (the API's edge); a malformed one
    /// is refused and recorded in the audit log like any other refused start.
    /// </summary>
    public async Task<(SlotRangeSet Slots, MigrationEngineKind Engine)> ParseForStartAsync(string? slots, string? engine, string? targetNodeId, string requestedBy)
    {
        try
        {
            return (MigrationPlanner.ParseSlots(slots), MigrationEngineChoice.Parse(engine));
        }
        catch (RequestRefusedException ex)
        {
            await audit.RecordAsync(requestedBy, AuditActions.MigrationStart, StartSubject(ErrorText.Clip(slots, AuditLog.MaxSubjectLength, "(none)"), targetNodeId), AuditOutcome.Refused, ex.Message);
            throw;
        }
    }

    /// <summary>
    /// Cancels a running migration through the engine. Refused (409) when cancelling would also stop work that is not
    /// this migration's (the engine names it). Returns the migration once Valkey has confirmed (or after
    /// <see cref="SlotMigrationOptions.CancelConfirmationTimeout"/>, still running). Audited either way.
    /// </summary>
    public Task<Migration> CancelAsync(string id, string requestedBy, CancellationToken cancellationToken = default) =>
        audit.RunAsync(
            requestedBy, AuditActions.MigrationCancel, id,
            () => CancelCoreAsync(id, requestedBy, cancellationToken),
            migration => $"{migration.Slots} → {migration.TargetEndpoint}: {migration.State.ToString().ToLowerInvariant()}");

    /// <summary>Waits until migration <paramref name="id"/> satisfies <paramref name="predicate"/> (its current state counts).</summary>
    public Task<Migration> WaitForAsync(string id, Func<Migration, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        registry.WaitForAsync(id, predicate, timeout, cancellationToken);

    public void Dispose() => _startLock.Dispose();

    private async Task<MigrationStart> StartCoreAsync(MigrationRequest request, CancellationToken cancellationToken)
    {
        await _startLock.WaitAsync(cancellationToken);
        try
        {
            if (request.IdempotencyKey is { Length: > 0 } key && registry.FindByIdempotencyKey(key) is { } existing)
            {
                if (!existing.Slots.Equals(request.Slots) || !string.Equals(existing.TargetNodeId, request.TargetNodeId, StringComparison.OrdinalIgnoreCase))
                {
                    throw RequestRefusedException.Conflict(
                        $"Idempotency-Key \"{key}\" was used for a different request (migration {existing.Id}: slots {existing.Slots} to {MigrationPlanner.Short(existing.TargetNodeId)})",
                        existing.Id);
                }

                return new MigrationStart(existing, Created: false);
            }

            var running = registry.Active;
            if (running.Count >= options.Value.MaxConcurrentMigrations)
            {
                throw RequestRefusedException.Conflict(
                    $"{running.Count} migrations are running ({string.Join(", ", running.Select(m => m.Id))}) and this dashboard runs at most " +
                    $"{options.Value.MaxConcurrentMigrations} at once (Migrations:MaxConcurrentMigrations); start this one when one of them has finished",
                    running[0].Id);
            }

            var snapshot = await WithFreshKeyCountsAsync(await monitor.RefreshTopologyAsync(cancellationToken), request.Slots, cancellationToken);
            var plan = MigrationPlanner.Plan(request.Slots, request.TargetNodeId, snapshot, running, await ReadMaxMemoryAsync(snapshot, request.TargetNodeId), request.Engine);
            var migration = await engines.For(plan.Engine).StartAsync(Pending(plan, request), plan.Target, cancellationToken);
            await registry.AddAsync(migration, cancellationToken);
            return new MigrationStart(migration, Created: true);
        }
        finally
        {
            _startLock.Release();
        }
    }

    private Migration Pending(MigrationPlan plan, MigrationRequest request) => new()
    {
        Id = Guid.CreateVersion7().ToString("N"),
        State = MigrationState.Pending,
        Slots = plan.Slots,
        TargetNodeId = plan.Target.Id,
        TargetEndpoint = plan.Target.Endpoint,
        Jobs = [.. plan.Jobs.Select(j => new MigrationJob
        {
            SourceNodeId = j.Source.Id,
            SourceEndpoint = j.Source.Endpoint,
            Slots = j.Slots,
            KeysAtStart = j.Keys,
            ProgressSlots = j.ProgressSlots,
            ProgressSlotsKeysAtStart = j.ProgressSlotsKeys,
        })],
        Estimate = plan.Estimate,
        Engine = plan.Engine,
        Replace = request.Replace,
        CreatedAt = time.GetUtcNow(),
        RequestedBy = request.RequestedBy,
        IdempotencyKey = request.IdempotencyKey,
        PlanId = request.PlanId,
    };

    private async Task<Migration> CancelCoreAsync(string id, string requestedBy, CancellationToken cancellationToken)
    {
        var migration = registry.Find(id) ?? throw RequestRefusedException.NotFound($"there is no migration {id}");
        if (migration.IsFinished)
        {
            throw RequestRefusedException.Conflict($"migration {id} has already {migration.State.ToString().ToLowerInvariant()}; only a running migration can be cancelled");
        }

        await engines.For(migration).CancelAsync(migration, cancellationToken);
        logger.LogInformation("Cancelled migration {MigrationId} ({Slots} to {Target}) for {RequestedBy}", id, migration.Slots, migration.TargetEndpoint, requestedBy);
        registry.Update(id, m => m with { Error = m.Error ?? $"cancelled by {requestedBy}" });
        registry.Nudge();
        try
        {
            return await registry.WaitForAsync(id, m => m.IsFinished, options.Value.CancelConfirmationTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Valkey has not confirmed yet; the caller gets the current state and can follow the migration.
            return registry.Find(id)!;
        }
    }

    /// <summary>What the audit log names a start by: the slots and the target's endpoint (or the id it was given).</summary>
    private string StartSubject(string slots, string? targetNodeId) =>
        $"{slots} → {(targetNodeId is not null && monitor.Current.FindNode(targetNodeId) is { } node ? node.Endpoint : ErrorText.Clip(targetNodeId, 48, "(none)"))}";

    /// <summary>
    /// The snapshot with the key counts of <paramref name="slots"/> read now from their owners
    /// (<c>CLUSTER SLOT-STATS SLOTSRANGE</c> per range, or COUNTKEYSINSLOT where the owner's server lacks it), so the estimate and the progress baseline are exact,
    /// not up to a poll interval old. Counts that cannot be read keep the monitor's figure.
    /// </summary>
    private async Task<ClusterSnapshot> WithFreshKeyCountsAsync(ClusterSnapshot snapshot, SlotRangeSet slots, CancellationToken cancellationToken)
    {
        var keys = snapshot.SlotStatistics.KeyCount.ToArray();
        var reads = slots.Slots()
            .GroupBy(s => snapshot.SlotOwners[s])
            .Where(g => g.Key is not null && snapshot.FindNode(g.Key) is { Health: NodeHealth.Online })
            .SelectMany(g => SlotRangeSet.FromSlots(g).Ranges.Select(r => (Owner: snapshot.FindNode(g.Key!)!, Range: r)))
            .Select(async read =>
            {
                try
                {
                    return await valkey.KeyCountsAsync(read.Owner, read.Range, cancellationToken);
                }
                catch (ValkeyException)
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
            return long.TryParse(await valkey.ConfigGetAsync(target.Endpoint, "maxmemory"), out var bytes) ? bytes : 0;
        }
        catch (ValkeyException ex)
        {
            throw RequestRefusedException.Conflict($"target {target.Endpoint} did not answer: {ex.Message}");
        }
    }
}
