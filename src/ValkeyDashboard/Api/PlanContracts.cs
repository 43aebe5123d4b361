using System.ComponentModel;
using ValkeyDashboard.Cluster.Plans;

namespace ValkeyDashboard.Api;

/// <summary>Body of <c>POST /api/plans/preview</c> and <c>POST /api/plans</c>.</summary>
public sealed record PlanBody(
    [property: Description("\"rebalance\" (every primary within the threshold of its weighted share; empty primaries take part) or \"drain\" (empty nodeIds)")] string? Kind,
    [property: Description("What is balanced: \"slots\", \"keys\" (default), \"memory\" (estimated), \"cpu\" or \"network\" (averaged over the load window)")] string? Metric,
    [property: Description("For a drain: the 40-hex ids of the primaries to empty")] IReadOnlyList<string>? NodeIds,
    [property: Description("Per primary id its weight (default 1; 0 empties it)")] IReadOnlyDictionary<string, double>? Weights,
    [property: Description("How far a primary may end from its target, as a share of the target (0-0.5; default 0.02)")] double? Threshold,
    [property: Description("The engine of each move's migration: \"auto\" (default), \"atomic\" or \"keys\"")] string? Engine = null);

/// <summary>One move of a plan: a migration from a source to a target.</summary>
public sealed record PlanMoveResponse(
    int Index,
    string SourceNodeId,
    string SourceEndpoint,
    string TargetNodeId,
    string TargetEndpoint,
    [property: Description("Canonical slot ranges, e.g. \"0-99,200\"")] string Slots,
    long Keys,
    [property: Description("Estimated bytes")] long Bytes,
    [property: Description("pending, running, succeeded, failed, cancelled or skipped (the cluster changed under it)")] PlanState? State = null,
    [property: Description("The migration that carries the move, once started")] string? MigrationId = null,
    string? Message = null,
    long? KeysMoved = null,
    long? BytesMoved = null)
{
    public static PlanMoveResponse From(PlannedMove move) =>
        new(0, move.SourceNodeId, move.SourceEndpoint, move.TargetNodeId, move.TargetEndpoint, move.Slots.ToString(), move.Keys, move.Bytes);

    public static PlanMoveResponse From(PlanMove move) =>
        new(move.Index, move.SourceNodeId, move.SourceEndpoint, move.TargetNodeId, move.TargetEndpoint, move.Slots.ToString(), move.Keys, move.Bytes,
            move.State, move.MigrationId, move.Message, move.KeysMoved, move.BytesMoved);
}

/// <summary>A primary's figure of the metric now, after the plan, and its weighted target.</summary>
public sealed record PlanNodeResponse(string Id, string Endpoint, double Before, double After, double Target, double Weight, int SlotsBefore, int SlotsAfter)
{
    public static PlanNodeResponse From(PlannedNode node) =>
        new(node.Id, node.Endpoint, Math.Round(node.Before, 2), Math.Round(node.After, 2), Math.Round(node.Target, 2), node.Weight, node.SlotsBefore, node.SlotsAfter);
}

/// <summary>What a plan would do, computed from the cluster as it is now.</summary>
public sealed record PlanPreviewResponse(
    PlanKind Kind,
    PlanMetric Metric,
    double Threshold,
    IReadOnlyList<PlanMoveResponse> Moves,
    IReadOnlyList<PlanNodeResponse> Nodes,
    [property: Description("The largest primary's weighted share over the mean now (1.0 = perfect)")] double ImbalanceBefore,
    [property: Description("The same once the plan ran")] double ImbalanceAfter,
    long KeysToMove,
    long BytesToMove,
    double EstimatedSeconds,
    IReadOnlyList<string> Warnings)
{
    public static PlanPreviewResponse From(PlanPreview preview) => new(
        preview.Kind, preview.Metric, preview.Threshold,
        [.. preview.Moves.Select((m, i) => PlanMoveResponse.From(m) with { Index = i })],
        [.. preview.Nodes.Select(PlanNodeResponse.From)],
        preview.ImbalanceBefore, preview.ImbalanceAfter, preview.KeysToMove, preview.BytesToMove, preview.EstimatedSeconds, preview.Warnings);
}

/// <summary>A plan: its moves, where it stands, what it moved, and its ETA.</summary>
public sealed record PlanResponse(
    string Id,
    PlanKind Kind,
    PlanMetric Metric,
    double Threshold,
    [property: Description("pending, running, paused, succeeded, failed or cancelled")] PlanState State,
    IReadOnlyList<PlanMoveResponse> Moves,
    IReadOnlyList<PlanNodeResponse> Nodes,
    [property: Description("0-1: keys moved over keys to move")] double Progress,
    long KeysToMove,
    long BytesToMove,
    long KeysMoved,
    long BytesMoved,
    double ImbalanceBefore,
    double ImbalanceAfter,
    [property: Description("Seconds left at the pace measured so far; null before anything moved or once finished")] double? EtaSeconds,
    IReadOnlyList<string> Warnings,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string RequestedBy,
    bool CancelRequested,
    [property: Description("Why it failed, or why it is paused or cancelled")] string? Error,
    [property: Description("The engine each move's migration asks for: auto, atomic or keys")] Cluster.Migrations.MigrationEngineKind Engine = Cluster.Migrations.MigrationEngineKind.Auto) : ClusterMessage
{
    public static PlanResponse From(Plan plan) => new(
        plan.Id, plan.Kind, plan.Metric, plan.Threshold, plan.State,
        [.. plan.Moves.Select(PlanMoveResponse.From)],
        [.. plan.Nodes.Select(PlanNodeResponse.From)],
        plan.Progress, plan.KeysToMove, plan.BytesToMove, plan.KeysMoved, plan.BytesMoved, plan.ImbalanceBefore, plan.ImbalanceAfter,
        plan.EtaSeconds, plan.Warnings, plan.CreatedAt, plan.StartedAt, plan.FinishedAt, plan.RequestedBy, plan.CancelRequested, plan.Error, plan.Engine);
}

/// <summary>One page of plans, newest first.</summary>
public sealed record PlanPage(IReadOnlyList<PlanResponse> Items, int Page, int PageSize, int Total);
