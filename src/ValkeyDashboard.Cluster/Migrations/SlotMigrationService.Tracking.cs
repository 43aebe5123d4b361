using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Parsing;
using ValkeyDashboard.Cluster.Utils;

namespace ValkeyDashboard.Cluster.Migrations;

public sealed partial class SlotMigrationService
{
    private readonly Dictionary<string, DateTimeOffset> _lastProgress = new(StringComparer.Ordinal);

    /// <summary>Follows every running migration every <see cref="SlotMigrationOptions.TrackInterval"/>; sleeps while none runs.</summary>
    private async Task TrackAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var active = Active;
            try
            {
                if (active.Count == 0)
                {
                    await _wake.Reader.ReadAsync(stopping);
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
                        _logger.LogWarning("Could not follow migration {MigrationId} this round: {Reason}", migration.Id, ErrorText.Brief(ex));
                    }
                }

                await Task.Delay(_options.TrackInterval, _time, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Reads each job's state from Valkey, measures progress, and settles the migration when every job has ended.</summary>
    private async Task RefreshAsync(string id, CancellationToken cancellationToken)
    {
        var migration = Find(id)!;
        var now = _time.GetUtcNow();
        var measure = now - _lastProgress.GetValueOrDefault(id) >= _options.ProgressInterval;
        var jobs = migration.Jobs.ToBuilder();
        for (var i = 0; i < jobs.Count; i++)
        {
            if (!jobs[i].IsFinished)
            {
                jobs[i] = await RefreshJobAsync(migration, jobs[i], measure, now);
            }
        }

        if (measure)
        {
            _lastProgress[id] = now;
        }

        var state = MigrationState.Running;
        string? error = null;
        if (jobs.All(j => j.IsFinished))
        {
            if (jobs.All(j => j.State == MigrationState.Succeeded))
            {
                // Valkey says success on every source; done once the target's own topology shows it owns the slots.
                if (await TargetOwnsAsync(migration.TargetEndpoint, migration.Slots))
                {
                    state = MigrationState.Succeeded;
                    await SettleCountsAsync(migration.TargetEndpoint, jobs);
                }
            }
            else if (jobs.Any(j => j.State == MigrationState.Failed))
            {
                state = MigrationState.Failed;
                error = string.Join("; ", jobs.Where(j => j.State == MigrationState.Failed).Select(j => $"slots {j.Slots} from {j.SourceEndpoint}: {j.Message}"));
            }
            else
            {
                state = MigrationState.Cancelled;
                var moved = jobs.Where(j => j.State == MigrationState.Succeeded).Select(j => j.Slots.ToString()).ToList();
                error = moved.Count == 0 ? null : $"cancelled after slots {string.Join(',', moved)} had already moved";
            }
        }

        var keysAtStart = jobs.Sum(j => j.KeysAtStart);
        var keysMoved = jobs.Sum(j => j.KeysMoved);
        var progress = state == MigrationState.Succeeded ? 1.0 : keysAtStart > 0 ? Math.Min(1.0, (double)keysMoved / keysAtStart) : 0.0;
        var finished = state is MigrationState.Running ? (DateTimeOffset?)null : _time.GetUtcNow();
        var updatedJobs = jobs.ToImmutable();

        if (state != MigrationState.Running)
        {
            // Refresh the topology before the final state becomes visible: whoever sees it and then reads the
            // cluster (GET /api/cluster, the page) already sees the new owner.
            await _monitor.RefreshTopologyAsync(cancellationToken);
        }

        var before = migration;
        var updated = _migrations.AddOrUpdate(id, _ => throw new KeyNotFoundException(id), (_, current) => current with
        {
            State = state,
            Jobs = updatedJobs,
            Progress = progress,
            KeysMoved = keysMoved,
            BytesMoved = updatedJobs.Sum(j => j.BytesMoved),
            FinishedAt = finished,
            Error = error ?? current.Error,
        });

        if (!HasChanged(before, updated))
        {
            return;
        }

        Publish(updated);
        await _store.SaveAsync(updated, cancellationToken);
        if (updated.IsFinished)
        {
            _lastProgress.Remove(id);
            _logger.LogInformation(
                "Migration {MigrationId} of {SlotRanges} to {Target} {State} after {Duration}: {KeysMoved} keys, {BytesMoved} bytes{Error}",
                id, updated.Slots.ToString(), updated.TargetEndpoint, updated.State, updated.Duration, updated.KeysMoved, updated.BytesMoved,
                updated.Error is null ? string.Empty : " (" + updated.Error + ")");
        }
    }

    private async Task<MigrationJob> RefreshJobAsync(Migration migration, MigrationJob job, bool measure, DateTimeOffset now)
    {
        SlotMigrationLogEntry? entry = null;
        var sourceAnswered = true;
        var targetAnswered = true;
        var name = job.ValkeyJobName;
        try
        {
            var log = SlotMigrationLogParser.Parse(await _connection.ExecuteAsync(job.SourceEndpoint, "CLUSTER", "GETSLOTMIGRATIONS"));
            name ??= FindJob(log, job, migration.TargetNodeId, KnownJobNames())?.Name;
            entry = log.FirstOrDefault(e => e.Name == name && e.Operation == SlotMigrationOperation.Export);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            sourceAnswered = false;
        }

        if (entry is null && name is not null)
        {
            try
            {
                var log = SlotMigrationLogParser.Parse(await _connection.ExecuteAsync(migration.TargetEndpoint, "CLUSTER", "GETSLOTMIGRATIONS"));
                entry = log.FirstOrDefault(e => e.Name == name);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                targetAnswered = false;
            }
        }

        job = job with { ValkeyJobName = name };
        if (entry is not null)
        {
            job = job with
            {
                ValkeyState = entry.State,
                Message = string.IsNullOrEmpty(entry.Message) ? job.Message : entry.Message,
                LastSeenAt = now,
            };
            return entry.State switch
            {
                // Final key and byte counts are taken once the target owns the slots (cheaply, see SettleCountsAsync).
                "success" => job with { State = MigrationState.Succeeded, FinishedAt = now },
                "failed" => job with { State = MigrationState.Failed, FinishedAt = now, KeysMoved = 0 },
                "cancelled" => job with { State = MigrationState.Cancelled, FinishedAt = now, KeysMoved = 0 },
                _ when measure => job with { KeysMoved = await EstimateKeysMovedAsync(migration.TargetEndpoint, job) ?? job.KeysMoved, BytesMoved = await ImportedBytesAsync(migration.TargetEndpoint, job) },
                _ => job,
            };
        }

        // Neither side has a record of the job: its log is in memory only, so a restarted or failed-over node forgets it.
        if (!sourceAnswered && !targetAnswered && now - (job.LastSeenAt ?? job.StartedAt ?? now) < _options.LostJobTimeout)
        {
            return job with { Message = "neither the source nor the target is answering" };
        }

        var owner = await OwnerOfAsync(job.Slots);
        var what = name is null ? "the job" : $"job {name}";
        return owner == migration.TargetNodeId
            ? job with
            {
                State = MigrationState.Succeeded,
                FinishedAt = now,
                Message = $"Valkey no longer has a record of {what} (a node restarted), but the target owns the slots",
                KeysMoved = await TryCountKeysAsync(migration.TargetEndpoint, job) ?? job.KeysAtStart,
            }
            : job with
            {
                State = MigrationState.Failed,
                FinishedAt = now,
                KeysMoved = 0,
                Message = $"Valkey no longer has a record of {what} (a node restarted or failed over); the slots stay with {(owner is null ? "their source" : MigrationPlanner.Short(owner))}",
            };
    }

    /// <summary>Who owns all of <paramref name="slots"/> according to the cluster, or null when they are split or unknown.</summary>
    private async Task<string?> OwnerOfAsync(SlotRangeSet slots)
    {
        var snapshot = await _monitor.RefreshTopologyAsync();
        var owners = slots.Slots().Select(s => snapshot.SlotOwners[s]).Distinct().ToList();
        return owners.Count == 1 ? owners[0] : null;
    }

    /// <summary>True when the target's own <c>CLUSTER SHARDS</c> puts every slot in its shard.</summary>
    private async Task<bool> TargetOwnsAsync(string targetEndpoint, SlotRangeSet slots)
    {
        try
        {
            var shards = ClusterShardsParser.Parse(await _connection.ExecuteAsync(targetEndpoint, "CLUSTER", "SHARDS"));
            var shard = shards.FirstOrDefault(s => s.Nodes.Any(n => n.Endpoint == targetEndpoint && n.Role == NodeRole.Primary));
            return shard is not null && slots.Except(shard.Slots).IsEmpty;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// Keys and bytes each job moved, read once the target owns the slots: <c>CLUSTER SLOT-STATS SLOTSRANGE</c> per
    /// range (a handful of commands, where counting slot by slot would take thousands) and one <c>INFO stats</c>.
    /// </summary>
    private async Task SettleCountsAsync(string targetEndpoint, ImmutableArray<MigrationJob>.Builder jobs)
    {
        long? importBytes = null;
        try
        {
            importBytes = await ReadImportBytesAsync(targetEndpoint);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
        }

        for (var i = 0; i < jobs.Count; i++)
        {
            var job = jobs[i];
            try
            {
                var counts = await Task.WhenAll(job.Slots.Ranges.Select(r => _connection.ExecuteAsync(targetEndpoint, "CLUSTER", "SLOT-STATS", "SLOTSRANGE", r.Start, r.End)));
                job = job with { KeysMoved = counts.Sum(c => SlotStatsParser.Parse(c).Sum(e => e.KeyCount)) };
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ValkeyReplyException)
            {
                job = job with { KeysMoved = Math.Max(job.KeysMoved, job.KeysAtStart) };
            }

            jobs[i] = importBytes is { } bytes ? job with { BytesMoved = Math.Max(0, bytes - job.ImportBytesBaseline) } : job;
        }
    }

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
            var arrived = await CountKeysAsync(targetEndpoint, sample);
            return Math.Min(job.KeysAtStart, (long)Math.Round((double)arrived / job.ProgressSlotsKeysAtStart * job.KeysAtStart));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return null;
        }
    }

    private async Task<long?> TryCountKeysAsync(string endpoint, MigrationJob job)
    {
        try
        {
            return await CountKeysAsync(endpoint, job.Slots);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
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
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return job.BytesMoved;
        }
    }

    private static bool HasChanged(Migration before, Migration after) =>
        before.State != after.State ||
        before.KeysMoved != after.KeysMoved ||
        before.BytesMoved != after.BytesMoved ||
        !before.Progress.Equals(after.Progress) ||
        before.Error != after.Error ||
        !before.Jobs.Select(JobKey).SequenceEqual(after.Jobs.Select(JobKey));

    private static (MigrationState, string?, string?, string?, long) JobKey(MigrationJob job) => (job.State, job.ValkeyJobName, job.ValkeyState, job.Message, job.KeysMoved);
}
