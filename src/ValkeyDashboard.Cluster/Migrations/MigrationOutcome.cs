using System.Collections.Immutable;

namespace ValkeyDashboard.Cluster.Migrations;

/// <summary>Where a migration stands given its jobs: pure, whatever engine ran them.</summary>
/// <param name="State">Running until every job has ended.</param>
/// <param name="Error">Why it failed (each failed job with Valkey's message), or what had moved when it was cancelled.</param>
/// <param name="NeedsTargetOwnership">Every job succeeded: the target's own topology must confirm it owns the slots before the migration counts as succeeded.</param>
public sealed record MigrationOutcome(MigrationState State, string? Error, bool NeedsTargetOwnership)
{
    /// <summary>
    /// Succeeded once every job succeeded and <paramref name="targetOwnsSlots"/> is true (null: not read yet, which
    /// asks for it; false: still running until the target sees itself as the owner); failed when any job failed;
    /// cancelled when the rest were cancelled.
    /// </summary>
    public static MigrationOutcome Of(ImmutableArray<MigrationJob> jobs, bool? targetOwnsSlots = null)
    {
        if (!jobs.All(j => j.IsFinished))
        {
            return new(MigrationState.Running, null, false);
        }

        if (jobs.All(j => j.State == MigrationState.Succeeded))
        {
            return targetOwnsSlots switch
            {
                true => new(MigrationState.Succeeded, null, false),
                null => new(MigrationState.Running, null, true),
                false => new(MigrationState.Running, null, false),
            };
        }

        if (jobs.Any(j => j.State == MigrationState.Failed))
        {
            return new(MigrationState.Failed, string.Join("; ", jobs.Where(j => j.State == MigrationState.Failed).Select(j => $"slots {j.Slots} from {j.SourceEndpoint}: {j.Message}")), false);
        }

        // Jobs moved slot by slot say themselves which of their slots moved; a job that ended earlier moved all of its.
        var moved = jobs.Where(j => j.State == MigrationState.Succeeded).Select(j => j.Slots.ToString()).ToList();
        var partial = jobs.Where(j => j.State == MigrationState.Cancelled && j.SlotsMoved is not null && j.Message is not null).Select(j => j.Message!).ToList();
        var parts = (moved.Count == 0 ? [] : new[] { $"cancelled after slots {string.Join(',', moved)} had already moved" }).Concat(partial).ToList();
        return new(MigrationState.Cancelled, parts.Count == 0 ? null : string.Join("; ", parts), false);
    }

    /// <summary>0-1: keys that reached the target over keys to move; 1 once succeeded.</summary>
    public static double Progress(MigrationState state, ImmutableArray<MigrationJob> jobs)
    {
        var keysAtStart = jobs.Sum(j => j.KeysAtStart);
        return state == MigrationState.Succeeded ? 1.0 : keysAtStart > 0 ? Math.Min(1.0, (double)jobs.Sum(j => j.KeysMoved) / keysAtStart) : 0.0;
    }
}
