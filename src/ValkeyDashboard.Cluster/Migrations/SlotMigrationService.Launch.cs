using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Cluster.Migrations;

public sealed partial class SlotMigrationService
{
    /// <summary>Sends <c>CLUSTER MIGRATESLOTS</c> to every source of the plan and records the Valkey jobs.</summary>
    private async Task<Migration> LaunchAsync(MigrationPlan plan, MigrationRequest request, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var migration = new Migration
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
            CreatedAt = now,
            RequestedBy = request.RequestedBy,
            IdempotencyKey = request.IdempotencyKey,
        };

        var jobs = migration.Jobs.ToBuilder();
        var started = 0;
        long importBaseline;
        try
        {
            importBaseline = await ReadImportBytesAsync(plan.Target.Endpoint);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new RequestRefusedException(RefusalKind.Conflict, $"target {plan.Target.Endpoint} did not answer, so nothing was started: {Utils.ErrorText.Brief(ex)}");
        }

        for (var i = 0; i < jobs.Count; i++)
        {
            var job = jobs[i];
            _logger.LogInformation("Migrating {SlotRanges} from {Source} to {Target} (migration {MigrationId}, requested by {RequestedBy})",
                job.Slots.ToString(), job.SourceEndpoint, plan.Target.Endpoint, migration.Id, request.RequestedBy);
            try
            {
                await _connection.ExecuteAsync(job.SourceEndpoint, "CLUSTER", MigrateSlotsArguments(job.Slots, plan.Target.Id));
            }
            catch (RedisServerException ex)
            {
                if (started == 0)
                {
                    // Nothing has moved and nothing is recorded: the request is refused as a whole, with Valkey's words.
                    throw new RequestRefusedException(ClassifyRefusal(ex.Message),
                        $"Valkey refused to migrate slots {job.Slots} from {job.SourceEndpoint}: {ex.Message}", valkeyError: ex.Message);
                }

                _logger.LogWarning("Valkey refused slots {SlotRanges} from {Source}: {ValkeyError}", job.Slots.ToString(), job.SourceEndpoint, ex.Message);
                jobs[i] = job with { State = MigrationState.Failed, Message = ex.Message, FinishedAt = _time.GetUtcNow() };
                continue;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                var reason = Utils.ErrorText.Brief(ex);
                if (started == 0)
                {
                    throw new RequestRefusedException(RefusalKind.Conflict, $"source {job.SourceEndpoint} did not answer, so nothing was started: {reason}");
                }

                jobs[i] = job with { State = MigrationState.Failed, Message = $"source did not answer: {reason}", FinishedAt = _time.GetUtcNow() };
                continue;
            }

            started++;
            SlotMigrationLogEntry? entry = null;
            try
            {
                var log = SlotMigrationLogParser.Parse(await _connection.ExecuteAsync(job.SourceEndpoint, "CLUSTER", "GETSLOTMIGRATIONS"));
                entry = FindJob(log, job, plan.Target.Id, KnownJobNames());
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // The job runs; the tracker finds its name in the source's log later.
                _logger.LogDebug(ex, "Could not read the job name of {SlotRanges} from {Source} yet", job.Slots.ToString(), job.SourceEndpoint);
            }

            jobs[i] = job with
            {
                ValkeyJobName = entry?.Name,
                ValkeyState = entry?.State,
                State = MigrationState.Running,
                ImportBytesBaseline = importBaseline,
                StartedAt = _time.GetUtcNow(),
                LastSeenAt = _time.GetUtcNow(),
            };
        }

        migration = migration with { State = MigrationState.Running, Jobs = jobs.ToImmutable(), StartedAt = now };
        _migrations[migration.Id] = migration;
        await _store.SaveAsync(migration, cancellationToken);
        Publish(migration);
        Wake();
        return migration;
    }

    /// <summary><c>MIGRATESLOTS SLOTSRANGE s e [s e …] NODE target</c> (after <c>CLUSTER</c>).</summary>
    internal static object[] MigrateSlotsArguments(Model.SlotRangeSet slots, string targetNodeId)
    {
        var args = new List<object> { "MIGRATESLOTS", "SLOTSRANGE" };
        foreach (var range in slots.Ranges)
        {
            args.Add(range.Start);
            args.Add(range.End);
        }

        args.Add("NODE");
        args.Add(targetNodeId);
        return [.. args];
    }

    /// <summary>The newest export in the source's log that moves exactly this job's slots to the target and is not already followed.</summary>
    private static SlotMigrationLogEntry? FindJob(IEnumerable<SlotMigrationLogEntry> log, MigrationJob job, string targetNodeId, HashSet<string> known) =>
        log.FirstOrDefault(e =>
            e.Operation == SlotMigrationOperation.Export &&
            string.Equals(e.TargetNodeId, targetNodeId, StringComparison.OrdinalIgnoreCase) &&
            e.Slots.Equals(job.Slots) &&
            !known.Contains(e.Name));

    private HashSet<string> KnownJobNames() =>
        _migrations.Values.SelectMany(m => m.Jobs).Select(j => j.ValkeyJobName).OfType<string>().ToHashSet(StringComparer.Ordinal);

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

    private async Task<long> ReadImportBytesAsync(string endpoint)
    {
        var info = InfoReply.Parse((string)(await _connection.ExecuteAsync(endpoint, "INFO", "stats"))!);
        return info.GetInt64("total_net_cluster_slot_import_bytes") ?? 0;
    }

    /// <summary>Σ <c>CLUSTER COUNTKEYSINSLOT</c> over the slots on one node (pipelined); on a target it counts staged keys too.</summary>
    private async Task<long> CountKeysAsync(string endpoint, Model.SlotRangeSet slots)
    {
        var counts = await Task.WhenAll(slots.Slots().Select(s => _connection.ExecuteAsync(endpoint, "CLUSTER", "COUNTKEYSINSLOT", s)));
        return counts.Sum(c => (long)c);
    }
}
