using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Plans;

namespace ValkeyDashboard.Model.HeatMap;

/// <summary>Slots a plan is to move and the primary they are to move to: the map hatches them in that primary's colour.</summary>
public sealed record HeatMapPlannedMove(SlotRangeSet Slots, string TargetNodeId)
{
    /// <summary>The moves of a preview.</summary>
    public static IReadOnlyList<HeatMapPlannedMove> Of(PlanPreview preview) =>
        [.. preview.Moves.Select(m => new HeatMapPlannedMove(m.Slots, m.TargetNodeId))];

    /// <summary>The moves of a plan that have not started yet (the running ones are striped as migrations).</summary>
    public static IReadOnlyList<HeatMapPlannedMove> PendingOf(Plan plan) =>
        [.. plan.Moves.Where(m => m.State == PlanState.Pending).Select(m => new HeatMapPlannedMove(m.Slots, m.TargetNodeId))];
}
