using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Cluster.Migrations.Atomic;

/// <summary>
/// Valkey 9's atomic slot migration: one <c>CLUSTER MIGRATESLOTS</c> per source, followed in
/// <c>CLUSTER GETSLOTMIGRATIONS</c> on the source (and the target when the source has no record), decided by
/// <see cref="AtomicJobDecision"/>, cancelled with <c>CLUSTER CANCELSLOTMIGRATIONS</c>. Progress is the keys that reached
/// the target (<c>COUNTKEYSINSLOT</c> there counts staged keys) over the keys the slots held; bytes are the target's
/// <c>total_net_cluster_slot_import_bytes</c> since the start.
/// </summary>
public sealed class AtomicMigrationEngine(
    ValkeyAdminClient valkey,
    ClusterMonitor monitor,
    MigrationRegistry registry,
    IOptions<SlotMigrationOptions> options,
    TimeProvider time,
    ILogger<AtomicMigrationEngine> logger) : IMigrationEngine
{
    private const string ImportBytesField = "total_net_cluster_slot_import_bytes";

    public string Name => "atomic";

    public async Task<Migration> StartAsync(Migration pending, ClusterNode target, CancellationToken cancellationToken)
    {
        await TargetReadiness.RequireOkAsync(valkey, target);
        long importBaseline;
        try
        {
            importBaseline = await ReadImportBytesAsync(target.Endpoint);
        }
        catch (ValkeyException ex)
        {
            throw RequestRefusedException.Conflict($"target {target.Endpoint} did not answer, so nothing was started: {ex.Message}");
        }

        var jobs = pending.Jobs.ToBuilder();
        var started = 0;
        for (var i = 0; i < jobs.Count; i++)
        {
            var job = jobs[i];
            logger.LogInformation("Migrating {SlotRanges} from {Source} to {Target} (migration {MigrationId}, requested by {RequestedBy})",
                job.Slots.ToString(), job.SourceEndpoint, target.Endpoint, pending.Id, pending.RequestedBy);
            try
            {
                await valkey.MigrateSlotsAsync(job.SourceEndpoint, job.Slots, target.Id);
            }
            catch (ValkeyErrorException ex)
            {
                if (started == 0)
                {
                    // Nothing has moved and nothing is recorded: the request is refused as a whole, with Valkey's words.
                    throw new RequestRefusedException(ClassifyRefusal(ex.ValkeyError),
                        $"Valkey refused to migrate slots {job.Slots} from {job.SourceEndpoint}: {ex.ValkeyError}", valkeyError: ex.ValkeyError);
                }

                logger.LogWarning("Valkey refused slots {SlotRanges} from {Source}: {ValkeyError}", job.Slots.ToString(), job.SourceEndpoint, ex.ValkeyError);
                jobs[i] = job with { State = MigrationState.Failed, Message = ex.ValkeyError, FinishedAt = time.GetUtcNow() };
                continue;
            }
            catch (ValkeyException ex)
            {
                if (started == 0)
                {
                    throw RequestRefusedException.Conflict($"source {job.SourceEndpoint} did not answer, so nothing was started: {ex.Message}");
                }

                jobs[i] = job with { State = MigrationState.Failed, Message = $"source did not answer: {ex.Message}", FinishedAt = time.GetUtcNow() };
                continue;
            }

            started++;
            SlotMigrationLogEntry? entry = null;
            try
            {
                entry = FindJob(await valkey.GetSlotMigrationsAsync(job.SourceEndpoint), job, target.Id);
            }
            catch (ValkeyException ex)
            {
                // The job runs; the next round finds its name in the source's log.
                logger.LogDebug(ex, "Could not read the job name of {SlotRanges} from {Source} yet", job.Slots.ToString(), job.SourceEndpoint);
            }

            jobs[i] = job with
            {
                ValkeyJobName = entry?.Name,
                ValkeyState = entry?.State,
                State = MigrationState.Running,
                ImportBytesBaseline = importBaseline,
                StartedAt = time.GetUtcNow(),
                LastSeenAt = time.GetUtcNow(),
            };
        }

        return pending with { State = MigrationState.Running, Jobs = jobs.ToImmutable(), StartedAt = pending.CreatedAt };
    }

    public async Task<MigrationJob> AdvanceAsync(Migration migration, MigrationJob job, bool measureProgress, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var seen = await ObserveAsync(migration, job);
        var decision = AtomicJobDecision.Decide(job, migration.TargetNodeId, seen, now, options.Value.LostJobTimeout);
        if (decision.NeedsOwner)
        {
            seen = seen with { Owner = new SlotOwner(await OwnerOfAsync(job.Slots, cancellationToken)) };
            decision = AtomicJobDecision.Decide(job, migration.TargetNodeId, seen, now, options.Value.LostJobTimeout);
        }

        var next = decision.Job;
        if (measureProgress && !next.IsFinished && (seen.SourceEntry ?? seen.TargetEntry) is not null)
        {
            next = next with
            {
                KeysMoved = await EstimateKeysMovedAsync(migration.TargetEndpoint, next) ?? next.KeysMoved,
                BytesMoved = await ImportedBytesAsync(migration.TargetEndpoint, next),
            };
        }

        return next;
    }

    /// <summary>
    /// Keys and bytes each job moved, read once the target owns the slots: <c>CLUSTER SLOT-STATS SLOTSRANGE</c> per
    /// range (a handful of commands, where counting slot by slot would take thousands) and one <c>INFO stats</c>.
    /// </summary>
    public async Task<ImmutableArray<MigrationJob>> SettleAsync(Migration migration, ImmutableArray<MigrationJob> jobs, CancellationToken cancellationToken)
    {
        long? importBytes = null;
        try
        {
            importBytes = await ReadImportBytesAsync(migration.TargetEndpoint);
        }
        catch (ValkeyException)
        {
        }

        var settled = jobs.ToBuilder();
        for (var i = 0; i < settled.Count; i++)
        {
            var job = settled[i];
            try
            {
                var counts = await Task.WhenAll(job.Slots.Ranges.Select(r => valkey.SlotStatsAsync(migration.TargetEndpoint, r, cancellationToken)));
                job = job with { KeysMoved = counts.Sum(c => c.Sum(e => e.KeyCount)) };
            }
            catch (ValkeyException)
            {
                job = job with { KeysMoved = Math.Max(job.KeysMoved, job.KeysAtStart) };
            }

            settled[i] = importBytes is { } bytes ? job with { BytesMoved = Math.Max(0, bytes - job.ImportBytesBaseline) } : job;
        }

        return settled.ToImmutable();
    }

    public async Task CancelAsync(Migration migration, CancellationToken cancellationToken)
    {
        var ownNames = migration.Jobs.Select(j => j.ValkeyJobName).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var sources = migration.Jobs.Where(j => !j.IsFinished).Select(j => j.SourceEndpoint).Distinct().ToList();
        foreach (var source in sources)
        {
            List<SlotMigrationLogEntry> exports;
            try
            {
                exports = [.. (await valkey.GetSlotMigrationsAsync(source))
                    .Where(e => e.Operation == SlotMigrationOperation.Export && !e.IsFinished && !ownNames.Contains(e.Name))];
            }
            catch (ValkeyException ex)
            {
                throw RequestRefusedException.Conflict(
                    $"source {source} is not answering, so it cannot be asked to cancel ({ex.Message}); the migration ends on its own when Valkey gives up");
            }

            if (exports.Count > 0)
            {
                var others = string.Join(", ", exports.Select(e => $"job {e.Name} (slots {e.Slots}{DescribeOwner(e.Name)})"));
                throw RequestRefusedException.Conflict(
                    $"source {source} is also exporting {others}; Valkey's CLUSTER CANCELSLOTMIGRATIONS would cancel those too, so migration {migration.Id} was not cancelled");
            }
        }

        foreach (var source in sources)
        {
            try
            {
                // False: the job ended on its own just now; the tracker records how.
                await valkey.CancelSlotMigrationsAsync(source);
            }
            catch (ValkeyException ex)
            {
                logger.LogWarning("Could not send CLUSTER CANCELSLOTMIGRATIONS to {Source}: {Reason}", source, ex.Message);
            }
        }
    }

    /// <summary>Valkey refusals that mean "not now" (another migration holds the slots) are conflicts; the rest are bad requests.</summary>
    internal static RefusalKind ClassifyRefusal(string valkeyError) =>
        valkeyError.Contains("already migrating", StringComparison.OrdinalIgnoreCase) ||
        valkeyError.Contains("overlap", StringComparison.OrdinalIgnoreCase) ||
        valkeyError.Contains("manually migrated", StringComparison.OrdinalIgnoreCase) ||
        valkeyError.Contains("imported", StringComparison.OrdinalIgnoreCase) ||
        valkeyError.Contains("in progress", StringComparison.OrdinalIgnoreCase) ||
        valkeyError.Contains("not served by this node", StringComparison.OrdinalIgnoreCase)
            ? RefusalKind.Conflict
            : RefusalKind.Invalid;

    /// <summary>The job's record on the source, else (once its name is known) on the target; and who answered.</summary>
    private async Task<AtomicJobObservation> ObserveAsync(Migration migration, MigrationJob job)
    {
        var name = job.ValkeyJobName;
        SlotMigrationLogEntry? sourceEntry = null;
        var sourceAnswered = true;
        try
        {
            var log = await valkey.GetSlotMigrationsAsync(job.SourceEndpoint);
            name ??= FindJob(log, job, migration.TargetNodeId)?.Name;
            sourceEntry = log.FirstOrDefault(e => e.Name == name && e.Operation == SlotMigrationOperation.Export);
        }
        catch (ValkeyException)
        {
            sourceAnswered = false;
        }

        if (sourceEntry is not null || name is null)
        {
            return new AtomicJobObservation(name, sourceAnswered, sourceEntry);
        }

        try
        {
            var log = await valkey.GetSlotMigrationsAsync(migration.TargetEndpoint);
            return new AtomicJobObservation(name, sourceAnswered, null, TargetAnswered: true, TargetEntry: log.FirstOrDefault(e => e.Name == name));
        }
        catch (ValkeyException)
        {
            return new AtomicJobObservation(name, sourceAnswered, null, TargetAnswered: false);
        }
    }

    /// <summary>The newest export in the source's log that moves exactly this job's slots to the target and is not already followed.</summary>
    private SlotMigrationLogEntry? FindJob(IEnumerable<SlotMigrationLogEntry> log, MigrationJob job, string targetNodeId)
    {
        var known = registry.KnownValkeyJobs();
        return log.FirstOrDefault(e =>
            e.Operation == SlotMigrationOperation.Export &&
            string.Equals(e.TargetNodeId, targetNodeId, StringComparison.OrdinalIgnoreCase) &&
            e.Slots.Equals(job.Slots) &&
            !known.Contains(e.Name));
    }

    private string DescribeOwner(string jobName) =>
        registry.FindByValkeyJob(jobName) is { } owner ? $", migration {owner.Id}" : ", not started by this dashboard";

    /// <summary>Who owns all of <paramref name="slots"/> according to the cluster, or null when they are split or unknown.</summary>
    private async Task<string?> OwnerOfAsync(SlotRangeSet slots, CancellationToken cancellationToken)
    {
        var snapshot = await monitor.RefreshTopologyAsync(cancellationToken);
        var owners = slots.Slots().Select(s => snapshot.SlotOwners[s]).Distinct().ToList();
        return owners.Count == 1 ? owners[0] : null;
    }

    private async Task<long> ReadImportBytesAsync(string endpoint) =>
        (await valkey.InfoAsync(endpoint, "stats")).GetInt64(ImportBytesField) ?? 0;

    /// <summary>
    /// Keys that reached the target so far, from its counts over the job's progress sample (which include staged keys)
    /// scaled to the whole job; null when the target does not answer.
    /// </summary>
    private async Task<long?> EstimateKeysMovedAsync(string targetEndpoint, MigrationJob job)
    {
        if (job.ProgressSlots is not { IsEmpty: false } sample || job.ProgressSlotsKeysAtStart == 0)
        {
            return 0;
        }

        try
        {
            var arrived = await valkey.CountKeysInSlotsAsync(targetEndpoint, sample);
            return Math.Min(job.KeysAtStart, (long)Math.Round((double)arrived / job.ProgressSlotsKeysAtStart * job.KeysAtStart));
        }
        catch (ValkeyException)
        {
            return null;
        }
    }

    private async Task<long> ImportedBytesAsync(string targetEndpoint, MigrationJob job)
    {
        try
        {
            return Math.Max(0, await ReadImportBytesAsync(targetEndpoint) - job.ImportBytesBaseline);
        }
        catch (ValkeyException)
        {
            return job.BytesMoved;
        }
    }
}
