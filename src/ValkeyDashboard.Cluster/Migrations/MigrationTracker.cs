using System.Collections.Immutable;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Migrations.Impact;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Text;

namespace ValkeyDashboard.Cluster.Migrations;

/// <summary>
/// Follows every running migration every <see cref="SlotMigrationOptions.TrackInterval"/> (and sleeps while none
/// runs): the engine advances each unfinished job, <see cref="MigrationOutcome"/> decides the migration's state, and
/// a final state is published only once the topology shows it. Migrations found running in the history at start are
/// followed like any other. The one place where every migration, whatever its engine, is seen running and ending:
/// the impact probe begins and finishes here.
/// </summary>
public sealed class MigrationTracker(
    MigrationRegistry registry,
    MigrationEngines engines,
    ValkeyAdminClient valkey,
    ClusterMonitor monitor,
    IOptions<SlotMigrationOptions> options,
    TimeProvider time,
    ILogger<MigrationTracker> logger,
    MigrationImpactProbe? probe = null) : IHostedService, IAsyncDisposable
{
    private readonly BackgroundLoop _loop = new();
    private readonly Dictionary<string, DateTimeOffset> _lastProgress = new(StringComparer.Ordinal);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop.Start(TrackAsync);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _loop.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync() => await _loop.StopAsync(CancellationToken.None);

    private async Task TrackAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var active = registry.Active;
                if (active.Count == 0)
                {
                    await registry.WaitForWorkAsync(stopping);
                    continue;
                }

                foreach (var migration in active)
                {
                    try
                    {
                        await RefreshAsync(migration.Id, stopping);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        logger.LogWarning("Could not follow migration {MigrationId} this round: {Reason}", migration.Id, ErrorText.Brief(ex));
                    }
                }

                await Task.Delay(options.Value.TrackInterval, time, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Advances each unfinished job, then settles the migration when every job has ended.</summary>
    private async Task RefreshAsync(string id, CancellationToken cancellationToken)
    {
        var migration = registry.Find(id)!;
        probe?.Begin(migration);
        var engine = engines.For(migration);
        var now = time.GetUtcNow();
        var measure = now - _lastProgress.GetValueOrDefault(id) >= options.Value.ProgressInterval;
        var jobs = migration.Jobs.ToBuilder();
        for (var i = 0; i < jobs.Count; i++)
        {
            if (!jobs[i].IsFinished)
            {
                jobs[i] = await engine.AdvanceAsync(migration, jobs[i], measure, now, cancellationToken);
            }
        }

        if (measure)
        {
            _lastProgress[id] = now;
        }

        var updatedJobs = jobs.ToImmutable();
        var outcome = MigrationOutcome.Of(updatedJobs);
        var settle = false;
        if (outcome.NeedsTargetOwnership)
        {
            // Valkey says success on every source; done once the target's own topology shows it owns the slots.
            outcome = MigrationOutcome.Of(updatedJobs, await TargetOwnsAsync(migration.TargetEndpoint, migration.Slots));
            settle = outcome.State == MigrationState.Succeeded;
        }

        // The probe ends (its keys deleted) before the final figures are counted, so its keys never count as keys moved.
        var impact = outcome.State != MigrationState.Running && probe is not null ? await probe.FinishAsync(id, migration.Engine) : null;
        if (settle)
        {
            updatedJobs = await engine.SettleAsync(migration, updatedJobs, cancellationToken);
        }

        if (outcome.State != MigrationState.Running)
        {
            // Refresh the topology before the final state becomes visible: whoever sees it and then reads the
            // cluster (GET /api/cluster, the page) already sees the new owner.
            await monitor.RefreshTopologyAsync(cancellationToken);
        }

        var changed = false;
        var updated = registry.Update(id, current => current with
        {
            State = outcome.State,
            Jobs = updatedJobs,
            Progress = MigrationOutcome.Progress(outcome.State, updatedJobs),
            KeysMoved = updatedJobs.Sum(j => j.KeysMoved),
            BytesMoved = updatedJobs.Sum(j => j.BytesMoved),
            FinishedAt = outcome.State is MigrationState.Running ? null : time.GetUtcNow(),
            Impact = impact ?? current.Impact,
            Error = outcome.Error is { } error && current.Error is { } asked && asked.StartsWith("cancelled by ", StringComparison.Ordinal) ? $"{error} ({asked})" : outcome.Error ?? current.Error,
        }, publishIf: (before, after) => changed = HasChanged(before, after));

        if (!changed)
        {
            return;
        }

        await registry.SaveAsync(updated, cancellationToken);
        if (updated.IsFinished)
        {
            _lastProgress.Remove(id);
            logger.LogInformation(
                "Migration {MigrationId} of {SlotRanges} to {Target} {State} after {Duration}: {KeysMoved} keys, {BytesMoved} bytes{Error}",
                id, updated.Slots.ToString(), updated.TargetEndpoint, updated.State, updated.Duration, updated.KeysMoved, updated.BytesMoved,
                updated.Error is null ? string.Empty : " (" + updated.Error + ")");
        }
    }

    /// <summary>True when the target's own <c>CLUSTER SHARDS</c> puts every slot in its shard.</summary>
    private async Task<bool> TargetOwnsAsync(string targetEndpoint, SlotRangeSet slots)
    {
        try
        {
            var shards = await valkey.ClusterShardsAsync(targetEndpoint);
            var shard = shards.FirstOrDefault(s => s.Nodes.Any(n => n.Endpoint == targetEndpoint && n.Role == NodeRole.Primary));
            return shard is not null && slots.Except(shard.Slots).IsEmpty;
        }
        catch (ValkeyException)
        {
            return false;
        }
    }

    private static bool HasChanged(Migration before, Migration after) =>
        before.State != after.State ||
        before.KeysMoved != after.KeysMoved ||
        before.BytesMoved != after.BytesMoved ||
        !before.Progress.Equals(after.Progress) ||
        before.Error != after.Error ||
        !before.Jobs.Select(JobKey).SequenceEqual(after.Jobs.Select(JobKey));

    private static (MigrationState, string?, string?, string?, long, string?, string?) JobKey(MigrationJob job) =>
        (job.State, job.ValkeyJobName, job.ValkeyState, job.Message, job.KeysMoved, job.SlotsMoved?.ToString(), job.SlotsInFlight?.ToString());
}
