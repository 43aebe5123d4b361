using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Migrations.Impact;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard.Cluster.Migrations;

/// <summary>Where a migration (or one of its jobs) stands. Values are part of the wire contract.</summary>
public enum MigrationState
{
    Pending = 0,
    Running = 1,
    Succeeded = 2,
    Failed = 3,
    Cancelled = 4,
}

/// <summary>
/// The slots of one source primary moving to the target: for the atomic engine one Valkey job
/// (<c>CLUSTER MIGRATESLOTS</c> sent to that source), followed by its Valkey job name; for the key-by-key engine the
/// dashboard's own worker, slot by slot.
/// </summary>
public sealed record MigrationJob
{
    public required string SourceNodeId { get; init; }

    public required string SourceEndpoint { get; init; }

    public required SlotRangeSet Slots { get; init; }

    /// <summary>Valkey's job id (<c>name</c> in <c>CLUSTER GETSLOTMIGRATIONS</c>), the same on source and target.</summary>
    public string? ValkeyJobName { get; init; }

    /// <summary>The job's state as Valkey reports it (e.g. <c>snapshotting</c>, <c>success</c>, <c>failed</c>).</summary>
    public string? ValkeyState { get; init; }

    /// <summary>Valkey's message, e.g. why the job failed.</summary>
    public string? Message { get; init; }

    public MigrationState State { get; init; } = MigrationState.Pending;

    /// <summary>Keys in the job's slots on the source when it started.</summary>
    public long KeysAtStart { get; init; }

    /// <summary>The slots whose keys on the target are counted to measure progress (a sample of a big job).</summary>
    public SlotRangeSet? ProgressSlots { get; init; }

    /// <summary>Keys in <see cref="ProgressSlots"/> when the job started.</summary>
    public long ProgressSlotsKeysAtStart { get; init; }

    /// <summary>Keys of the job's slots that have reached the target (staged or owned); estimated from the sample while running, exact at the end.</summary>
    public long KeysMoved { get; init; }

    /// <summary>Bytes the target received for slot imports since the job started (INFO <c>total_net_cluster_slot_import_bytes</c>).</summary>
    public long BytesMoved { get; init; }

    /// <summary>The target's import-byte counter when the job started, to measure <see cref="BytesMoved"/> from.</summary>
    public long ImportBytesBaseline { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>When a node last reported the job; a job no node has reported for long is decided by slot ownership.</summary>
    public DateTimeOffset? LastSeenAt { get; init; }

    /// <summary>Slots whose keys all moved and that the target owns (the key-by-key engine, slot by slot; null for the atomic engine, whose slots move at once).</summary>
    public SlotRangeSet? SlotsMoved { get; init; }

    /// <summary>Slots being moved right now (key-by-key engine).</summary>
    public SlotRangeSet? SlotsInFlight { get; init; }

    public bool IsFinished => State is MigrationState.Succeeded or MigrationState.Failed or MigrationState.Cancelled;
}

/// <summary>A request to move a set of slots to one primary, and everything that happened to it.</summary>
public sealed record Migration : IRecord
{
    public required string Id { get; init; }

    public required MigrationState State { get; init; }

    public required SlotRangeSet Slots { get; init; }

    public required string TargetNodeId { get; init; }

    public required string TargetEndpoint { get; init; }

    public required ImmutableArray<MigrationJob> Jobs { get; init; }

    /// <summary>The engine that moves the slots (<see cref="MigrationEngineChoice.Atomic"/> or <see cref="MigrationEngineChoice.Keys"/>); records from before the choice existed were atomic.</summary>
    public string Engine { get; init; } = MigrationEngineChoice.Atomic;

    /// <summary>Overwrite keys the target already has (key-by-key engine: <c>MIGRATE … REPLACE</c>); otherwise such a key stops the migration.</summary>
    public bool Replace { get; init; }

    /// <summary>0-1: keys moved over keys to move (1 once succeeded).</summary>
    public double Progress { get; init; }

    public long KeysMoved { get; init; }

    public long BytesMoved { get; init; }

    /// <summary>What the preflight expected.</summary>
    public MigrationEstimate? Estimate { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Who asked: <c>ui</c>, <c>api</c>, or the API token's name.</summary>
    public required string RequestedBy { get; init; }

    /// <summary>Why it failed or was cancelled, with Valkey's own message.</summary>
    public string? Error { get; init; }

    /// <summary>The client's <c>Idempotency-Key</c>, if it sent one.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>The plan this migration is a move of, when a plan started it.</summary>
    public string? PlanId { get; init; }

    /// <summary>What the migration cost clients, as the impact probe measured it (set when it ended; null when no probe ran).</summary>
    public MigrationImpact? Impact { get; init; }

    public bool IsFinished => State is MigrationState.Succeeded or MigrationState.Failed or MigrationState.Cancelled;

    string IRecord.StateName => State.ToString();

    public TimeSpan? Duration => StartedAt is { } start ? (FinishedAt ?? DateTimeOffset.UtcNow) - start : null;
}

/// <summary>The preflight's estimate of what a migration moves and whether the target has room.</summary>
/// <param name="Keys">Keys in the slots (from slot statistics).</param>
/// <param name="Bytes">Estimated memory of those keys: per source, keys × the source's used memory per key.</param>
/// <param name="TargetUsedMemoryBytes">The target's used memory now.</param>
/// <param name="TargetMaxMemoryBytes">The target's <c>maxmemory</c>; 0 when it has no limit.</param>
/// <param name="Warnings">Things the operator should know before confirming.</param>
public sealed record MigrationEstimate(
    long Keys,
    long Bytes,
    long TargetUsedMemoryBytes,
    long TargetMaxMemoryBytes,
    ImmutableArray<string> Warnings);
