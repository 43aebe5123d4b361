using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Cluster.Migrations.Atomic;

/// <summary>What the tracker saw of one atomic migration job in one round.</summary>
/// <param name="ValkeyJobName">The job's name in Valkey's logs, once known.</param>
/// <param name="SourceAnswered">The source answered <c>CLUSTER GETSLOTMIGRATIONS</c>.</param>
/// <param name="SourceEntry">The source's record of the job (an export), if it has one.</param>
/// <param name="TargetAnswered">The target was asked (only once the name is known and the source had no record) and answered.</param>
/// <param name="TargetEntry">The target's record of the job (an import), if it was asked and has one.</param>
/// <param name="Owner">Who owns all the job's slots per the cluster's topology now: read only when the decision asks for it.</param>
public sealed record AtomicJobObservation(
    string? ValkeyJobName,
    bool SourceAnswered,
    SlotMigrationLogEntry? SourceEntry,
    bool TargetAnswered = false,
    SlotMigrationLogEntry? TargetEntry = null,
    SlotOwner? Owner = null);

/// <summary>The owner of a job's slots as the topology shows it: a node id, or null when they are split or unknown.</summary>
public sealed record SlotOwner(string? NodeId);

/// <summary>What to do with a job after a round: its next record, or "read the slots' owner and decide again".</summary>
public sealed record AtomicJobDecision(MigrationJob Job, bool NeedsOwner)
{
    /// <summary>
    /// The next state of <paramref name="job"/> from what was observed. Pure: no I/O, so every end state is tested on
    /// captured replies.
    /// <list type="bullet">
    /// <item>Valkey's record (the source's, else the target's) decides when there is one: <c>success</c>, <c>failed</c>
    /// with Valkey's message (connection lost, failover, process restarted, OOM, …), <c>cancelled</c>; any other
    /// state is still running.</item>
    /// <item>Without a record, a job whose nodes do not answer stays running (with a message) for
    /// <paramref name="lostJobTimeout"/> after it was last seen: they may be restarting.</item>
    /// <item>Otherwise Valkey has forgotten the job (its log is in memory only: a restart or a failover loses it), and
    /// ownership decides: the target owns every slot → succeeded; anyone else → failed, the slots stay there.</item>
    /// </list>
    /// </summary>
    public static AtomicJobDecision Decide(MigrationJob job, string targetNodeId, AtomicJobObservation seen, DateTimeOffset now, TimeSpan lostJobTimeout)
    {
        job = job with { ValkeyJobName = seen.ValkeyJobName ?? job.ValkeyJobName };
        if ((seen.SourceEntry ?? seen.TargetEntry) is { } entry)
        {
            job = job with
            {
                ValkeyState = entry.State,
                Message = string.IsNullOrEmpty(entry.Message) ? job.Message : entry.Message,
                LastSeenAt = now,
            };
            return new AtomicJobDecision(entry.State switch
            {
                // Final key and byte counts are taken once the target owns the slots (the engine settles them).
                "success" => job with { State = MigrationState.Succeeded, FinishedAt = now },
                "failed" => job with { State = MigrationState.Failed, FinishedAt = now, KeysMoved = 0 },
                "cancelled" => job with { State = MigrationState.Cancelled, FinishedAt = now, KeysMoved = 0 },
                _ => job with { State = MigrationState.Running },
            }, NeedsOwner: false);
        }

        var silentFor = now - (job.LastSeenAt ?? job.StartedAt ?? now);
        if (!seen.SourceAnswered && !seen.TargetAnswered && silentFor < lostJobTimeout)
        {
            return new AtomicJobDecision(job with { Message = "neither the source nor the target is answering" }, NeedsOwner: false);
        }

        if (seen.Owner is null)
        {
            return new AtomicJobDecision(job, NeedsOwner: true);
        }

        var what = job.ValkeyJobName is null ? "the job" : $"job {job.ValkeyJobName}";
        var owner = seen.Owner.NodeId;
        return new AtomicJobDecision(
            string.Equals(owner, targetNodeId, StringComparison.OrdinalIgnoreCase)
                ? job with
                {
                    State = MigrationState.Succeeded,
                    FinishedAt = now,
                    Message = $"Valkey no longer has a record of {what} (a node restarted), but the target owns the slots",
                    KeysMoved = job.KeysAtStart,
                }
                : job with
                {
                    State = MigrationState.Failed,
                    FinishedAt = now,
                    KeysMoved = 0,
                    Message = $"Valkey no longer has a record of {what} (a node restarted or failed over); the slots stay with {(owner is null ? "their source" : MigrationPlanner.Short(owner))}",
                },
            NeedsOwner: false);
    }
}
