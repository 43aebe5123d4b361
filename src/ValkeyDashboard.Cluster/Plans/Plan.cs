using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard.Cluster.Plans;

/// <summary>What an operator asks a plan to do; text is parsed at the edge, this is typed.</summary>
/// <param name="Kind">Rebalance or drain.</param>
/// <param name="Metric">What is balanced.</param>
/// <param name="NodeIds">For a drain, the primaries to empty.</param>
/// <param name="Weights">Per primary id its weight (default 1; 0 empties it).</param>
/// <param name="Threshold">How far a primary may end from its target (share of the target); the configured default when null.</param>
/// <param name="RequestedBy">Who asks.</param>
/// <param name="IdempotencyKey">A retry with the same key returns the same plan and starts nothing.</param>
/// <param name="Engine">The engine each of the plan's migrations asks for (<see cref="Migrations.MigrationEngineChoice"/>).</param>
public sealed record PlanRequest(
    PlanKind Kind,
    PlanMetric Metric,
    ImmutableArray<string> NodeIds,
    ImmutableDictionary<string, double> Weights,
    double? Threshold,
    string RequestedBy,
    string? IdempotencyKey = null,
    Migrations.MigrationEngineKind Engine = Migrations.MigrationEngineKind.Auto);

/// <summary>A plan before anything moves: the moves, the figures before and after, the cost and what to know.</summary>
public sealed record PlanPreview(
    PlanKind Kind,
    PlanMetric Metric,
    double Threshold,
    ImmutableArray<PlannedMove> Moves,
    ImmutableArray<PlannedNode> Nodes,
    double ImbalanceBefore,
    double ImbalanceAfter,
    long KeysToMove,
    long BytesToMove,
    double EstimatedSeconds,
    ImmutableArray<string> Warnings);

/// <summary>One move of a running plan: a migration from one source to one target, and how it went.</summary>
public sealed record PlanMove
{
    public required int Index { get; init; }

    public required string SourceNodeId { get; init; }

    public required string SourceEndpoint { get; init; }

    public required string TargetNodeId { get; init; }

    public required string TargetEndpoint { get; init; }

    public required SlotRangeSet Slots { get; init; }

    /// <summary>Keys the plan expected to move.</summary>
    public long Keys { get; init; }

    /// <summary>Bytes the plan expected to move (estimated).</summary>
    public long Bytes { get; init; }

    public PlanState State { get; init; } = PlanState.Pending;

    /// <summary>The migration that carries the move, once started.</summary>
    public string? MigrationId { get; init; }

    /// <summary>Why it was skipped or failed, in the dashboard's or Valkey's words.</summary>
    public string? Message { get; init; }

    public long KeysMoved { get; init; }

    public long BytesMoved { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public bool IsFinished => State is PlanState.Succeeded or PlanState.Failed or PlanState.Cancelled or PlanState.Skipped;

    /// <summary>The idempotency key of the move's migration: a plan picked up after a restart can never start it twice.</summary>
    public static string MigrationKey(string planId, int index) => $"plan-{planId}-move-{index}";
}

/// <summary>A plan: the moves it decided, where it stands, and what it moved so far.</summary>
public sealed record Plan : IRecord
{
    public required string Id { get; init; }

    public required PlanKind Kind { get; init; }

    public required PlanMetric Metric { get; init; }

    public required double Threshold { get; init; }

    public ImmutableArray<string> NodeIds { get; init; } = [];

    public ImmutableDictionary<string, double> Weights { get; init; } = ImmutableDictionary<string, double>.Empty;

    /// <summary>The engine each move's migration asks for (plans from before the choice existed: auto).</summary>
    public Migrations.MigrationEngineKind Engine { get; init; }

    public required PlanState State { get; init; }

    public required ImmutableArray<PlanMove> Moves { get; init; }

    /// <summary>Every primary's figure before the plan, after it as planned, and its target.</summary>
    public ImmutableArray<PlannedNode> Nodes { get; init; } = [];

    public double ImbalanceBefore { get; init; }

    /// <summary>The imbalance the plan expects once every move ran.</summary>
    public double ImbalanceAfter { get; init; }

    public long KeysToMove { get; init; }

    public long BytesToMove { get; init; }

    /// <summary>0-1: keys moved over keys to move (1 once succeeded).</summary>
    public double Progress { get; init; }

    public long KeysMoved { get; init; }

    public long BytesMoved { get; init; }

    /// <summary>Seconds left, from the throughput measured so far; null before anything moved.</summary>
    public double? EtaSeconds { get; init; }

    public ImmutableArray<string> Warnings { get; init; } = [];

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Time spent running (pauses excluded) before <see cref="StartedAt"/> was last set, for the throughput.</summary>
    public TimeSpan RunTimeBefore { get; init; }

    public required string RequestedBy { get; init; }

    /// <summary>Why it failed, or what the operator should know about its state (paused by a restart, cancelling).</summary>
    public string? Error { get; init; }

    /// <summary>A cancel was asked: no move starts, the running ones are being cancelled.</summary>
    public bool CancelRequested { get; init; }

    public string? IdempotencyKey { get; init; }

    public bool IsFinished => State is PlanState.Succeeded or PlanState.Failed or PlanState.Cancelled;

    string IRecord.StateName => State.ToString();
}
