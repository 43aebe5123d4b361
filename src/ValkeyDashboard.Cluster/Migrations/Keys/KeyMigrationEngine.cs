using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;

namespace ValkeyDashboard.Cluster.Migrations.Keys;

/// <summary>
/// The classic key-by-key slot move, which every cluster server has (Valkey 7.2/8.x, Redis 7/8, and Valkey 9 too):
/// unlike the atomic engine, the dashboard itself does the work, one background <see cref="KeyMigrationRun"/> per
/// migration, owned here and stopped with the dashboard. <see cref="AdvanceAsync"/> reports the worker's progress
/// (exact keys moved, slots done, slots in flight), so the tracker, history, hub and API follow it as they follow an
/// atomic migration. A migration found running at start (a dashboard restart) gets a new worker, which finishes its
/// open slots and moves the rest.
/// </summary>
public sealed class KeyMigrationEngine(
    ValkeyAdminClient valkey,
    ClusterMonitor monitor,
    IOptions<KeyMigrationOptions> options,
    IOptions<ValkeyOptions> valkeyOptions,
    IClusterSeedSource seeds,
    TimeProvider time,
    ILoggerFactory loggers) : IMigrationEngine, IHostedService, IAsyncDisposable
{
    private readonly ILogger logger = loggers.CreateLogger<KeyMigrationEngine>();

    private readonly ConcurrentDictionary<string, KeyMigrationRun> _runs = new(StringComparer.Ordinal);
    private readonly SlotKeyMover _mover = new(valkey, options.Value);
    private readonly object _gate = new();
    private bool _stopped;

    public string Name => MigrationEngineChoice.Keys;

    public async Task<Migration> StartAsync(Migration pending, ClusterNode target, CancellationToken cancellationToken)
    {
        await TargetReadiness.RequireOkAsync(valkey, target);
        var now = time.GetUtcNow();
        var migration = pending with
        {
            State = MigrationState.Running,
            StartedAt = pending.CreatedAt,
            Jobs = [.. pending.Jobs.Select(j => j with { State = MigrationState.Running, StartedAt = now, LastSeenAt = now, SlotsMoved = SlotRangeSet.Empty, SlotsInFlight = SlotRangeSet.Empty })],
        };
        foreach (var job in migration.Jobs)
        {
            logger.LogInformation("Migrating {SlotRanges} key by key from {Source} to {Target} (migration {MigrationId}, requested by {RequestedBy})",
                job.Slots.ToString(), job.SourceEndpoint, target.Endpoint, migration.Id, migration.RequestedBy);
        }

        RunOf(migration);
        return migration;
    }

    public Task<MigrationJob> AdvanceAsync(Migration migration, MigrationJob job, bool measureProgress, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // A finished worker stays here (a few numbers) until the dashboard stops: a job still reported running in a
        // round that read its worker early must not get a second worker that would try its failed slot again.
        var progress = RunOf(migration).Progress(migration.Jobs.Select((j, i) => (j, i)).Single(x => x.j.SourceNodeId == job.SourceNodeId).i);
        return Task.FromResult(job with
        {
            State = progress.State,
            Message = progress.Message ?? job.Message,
            KeysMoved = progress.KeysMoved,
            SlotsMoved = progress.SlotsMoved,
            SlotsInFlight = progress.SlotsInFlight,
            LastSeenAt = now,
            FinishedAt = progress.State == MigrationState.Running ? null : now,
        });
    }

    /// <summary>The keys moved are counted exactly as they move: nothing to measure afterwards.</summary>
    public Task<ImmutableArray<MigrationJob>> SettleAsync(Migration migration, ImmutableArray<MigrationJob> jobs, CancellationToken cancellationToken) =>
        Task.FromResult(jobs);

    /// <summary>Starts no further slot; the slots in flight finish (never split between two nodes), then the jobs end cancelled.</summary>
    public Task CancelAsync(Migration migration, CancellationToken cancellationToken)
    {
        RunOf(migration).RequestCancel();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _stopped = true;
        }

        foreach (var run in _runs.Values)
        {
            await run.DisposeAsync();
        }

        _runs.Clear();
    }

    /// <summary>
    /// A connection of its own for one of the slots a worker moves at once. Valkey 8+ holds every <c>CLUSTER SETSLOT</c>
    /// until the node's replicas acknowledge it, and a connection waits behind its held command: over the dashboard's one
    /// shared connection per node the slots in flight would take turns; over a connection each, their waits overlap
    /// and the node saves its cluster config once for several of them.
    /// </summary>
    private SlotKeyMover NewLane() =>
        new(new ValkeyAdminClient(new ValkeyConnection(valkeyOptions, seeds, loggers.CreateLogger<ValkeyConnection>()), ownsConnection: true), options.Value);

    /// <summary>The migration's worker, started now when it has none (just started, or resumed after a restart).</summary>
    private KeyMigrationRun RunOf(Migration migration)
    {
        lock (_gate)
        {
            if (_runs.TryGetValue(migration.Id, out var existing))
            {
                return existing;
            }

            ObjectDisposedException.ThrowIf(_stopped, this);
            var run = new KeyMigrationRun(migration, _mover, valkey, monitor.RefreshTopologyAsync, NewLane, logger);
            _runs[migration.Id] = run;
            if (migration.Jobs.Any(j => j.SlotsMoved is not null && !j.SlotsMoved.IsEmpty || j.KeysMoved > 0))
            {
                logger.LogInformation("Resuming key-by-key migration {MigrationId}: its open slots are finished first, slots the target owns are skipped", migration.Id);
            }

            run.Start();
            return run;
        }
    }
}
