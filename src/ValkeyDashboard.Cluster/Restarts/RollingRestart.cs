using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard.Cluster.Restarts;

/// <summary>Where a rolling restart stands. Wire values are part of the API.</summary>
public enum RollingRestartState
{
    Running = 0,

    /// <summary>Stopped between two nodes until resumed.</summary>
    Paused = 1,

    Succeeded = 2,

    /// <summary>A node's restart failed; the nodes after it were not touched.</summary>
    Failed = 3,

    /// <summary>Cancelled between two nodes; the nodes after it were not touched.</summary>
    Cancelled = 4,
}

/// <summary>Where one node of a rolling restart stands.</summary>
public enum RestartStepState
{
    Pending = 0,
    Running = 1,
    Succeeded = 2,
    Failed = 3,

    /// <summary>Not restarted: the rolling restart was cancelled or failed before its turn.</summary>
    Skipped = 4,
}

/// <summary>One node of a rolling restart.</summary>
public sealed record RestartStep
{
    public required string NodeId { get; init; }

    public required string Endpoint { get; init; }

    /// <summary>Its role when the rolling restart was planned (replicas go first).</summary>
    public required string Role { get; init; }

    /// <summary>What its restart does, as planned (for a primary: to which replica it fails over).</summary>
    public required string Plan { get; init; }

    public RestartStepState State { get; init; } = RestartStepState.Pending;

    /// <summary>What it is doing now, or how it ended.</summary>
    public string? Message { get; init; }

    /// <summary>The process before and after its restart.</summary>
    public int? ProcessIdBefore { get; init; }

    public int? ProcessIdAfter { get; init; }

    /// <summary>The Valkey version it runs after its restart.</summary>
    public string? VersionAfter { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }
}

/// <summary>
/// A rolling restart of the embedded cluster: its nodes one at a time, replicas first, then each primary through a
/// failover; used to upgrade the binaries or apply changed settings without a slot going offline.
/// </summary>
public sealed record RollingRestart : IRecord
{
    public required string Id { get; init; }

    public required RollingRestartState State { get; init; }

    public required ImmutableArray<RestartStep> Steps { get; init; }

    /// <summary>After its restart, a former primary takes its shard back.</summary>
    public bool FailBack { get; init; }

    public required string RequestedBy { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>A pause or a cancel was asked: it takes effect once the node being restarted is back.</summary>
    public bool PauseRequested { get; init; }

    public bool CancelRequested { get; init; }

    /// <summary>Why it failed, or what the operator should know about its state.</summary>
    public string? Error { get; init; }

    public string? IdempotencyKey { get; init; }

    public bool IsFinished => State is RollingRestartState.Succeeded or RollingRestartState.Failed or RollingRestartState.Cancelled;

    /// <summary>Nodes restarted so far over nodes to restart.</summary>
    public double Progress => Steps.IsEmpty ? 1 : (double)Steps.Count(s => s.State == RestartStepState.Succeeded) / Steps.Length;

    string IRecord.StateName => State.ToString();
}

/// <summary>The rolling restarts (table <c>rolling_restarts</c> of the dashboard's database).</summary>
public sealed class RollingRestartStore(DashboardDatabase database) : RecordStore<RollingRestart>(database, "rolling_restarts");
