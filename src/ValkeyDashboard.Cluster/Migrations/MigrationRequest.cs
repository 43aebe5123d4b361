using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Migrations;

/// <summary>A request to move slots to a primary. Text is parsed at the edge (API, UI); this is already typed.</summary>
/// <param name="Slots">The slots to move.</param>
/// <param name="TargetNodeId">The 40-hex id of the primary that receives them (checked against the cluster).</param>
/// <param name="RequestedBy">Who asks (<c>ui</c>, <c>api</c>, a token's name).</param>
/// <param name="IdempotencyKey">A retry with the same key returns the same migration and starts nothing.</param>
/// <param name="PlanId">The plan this migration is a move of, when a plan asks.</param>
/// <param name="Engine">Which engine moves the slots (<see cref="MigrationEngineChoice.Choose"/>).</param>
/// <param name="Replace">Key-by-key engine: overwrite keys the target already has instead of stopping at the first.</param>
public sealed record MigrationRequest(
    SlotRangeSet Slots, string? TargetNodeId, string RequestedBy, string? IdempotencyKey = null, string? PlanId = null,
    MigrationEngineKind Engine = MigrationEngineKind.Auto, bool Replace = false);

/// <summary>The migration a start request produced, and whether it is new (false: an idempotent retry).</summary>
public sealed record MigrationStart(Migration Migration, bool Created);
