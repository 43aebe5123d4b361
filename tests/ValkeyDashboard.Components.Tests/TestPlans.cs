using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Plans;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// Plan previews and plans on the cluster of <see cref="TestSnapshots"/>: by default a slots rebalance in which
/// primaries 1 and 2 each give primary 0 a range (as if primary 0 had given 200 slots away earlier).
/// </summary>
internal static class TestPlans
{
    public static readonly DateTimeOffset Created = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public static PlannedMove Move(int source, int target, string slots, long keys, long bytes) =>
        new(TestSnapshots.PrimaryIds[source], $"127.0.0.1:{7000 + source}", TestSnapshots.PrimaryIds[target], $"127.0.0.1:{7000 + target}", SlotRangeSet.Parse(slots), keys, bytes);

    public static PlanPreview Preview(
        PlanKind kind = PlanKind.Rebalance,
        PlanMetric metric = PlanMetric.Slots,
        ImmutableArray<PlannedMove>? moves = null,
        ImmutableArray<string>? warnings = null) =>
        new(
            kind,
            metric,
            0.02,
            moves ?? [Move(1, 0, "5461-5560", 1_234, 126_000), Move(2, 0, "10922-11021", 2_000, 204_800)],
            [
                new PlannedNode(TestSnapshots.PrimaryIds[0], "127.0.0.1:7000", 5_261, 5_461, 5_461, 1, 5_261, 5_461),
                new PlannedNode(TestSnapshots.PrimaryIds[1], "127.0.0.1:7001", 5_561, 5_461, 5_461, 1, 5_561, 5_461),
                new PlannedNode(TestSnapshots.PrimaryIds[2], "127.0.0.1:7002", 5_562, 5_462, 5_461, 1, 5_562, 5_462),
            ],
            1.0185,
            1.0002,
            3_234,
            330_800,
            2.5,
            warnings ?? []);

    /// <summary>A plan just started from <paramref name="preview"/>: running, nothing moved yet.</summary>
    public static Plan Running(string id, PlanPreview? preview = null)
    {
        preview ??= Preview();
        return new Plan
        {
            Id = id,
            Kind = preview.Kind,
            Metric = preview.Metric,
            Threshold = preview.Threshold,
            State = PlanState.Running,
            Moves = [.. preview.Moves.Select((m, i) => new PlanMove
            {
                Index = i,
                SourceNodeId = m.SourceNodeId,
                SourceEndpoint = m.SourceEndpoint,
                TargetNodeId = m.TargetNodeId,
                TargetEndpoint = m.TargetEndpoint,
                Slots = m.Slots,
                Keys = m.Keys,
                Bytes = m.Bytes,
            })],
            Nodes = preview.Nodes,
            ImbalanceBefore = preview.ImbalanceBefore,
            ImbalanceAfter = preview.ImbalanceAfter,
            KeysToMove = preview.KeysToMove,
            BytesToMove = preview.BytesToMove,
            Warnings = preview.Warnings,
            CreatedAt = Created,
            StartedAt = Created,
            RequestedBy = "tester",
        };
    }

    /// <summary>
    /// <paramref name="plan"/> with its first move running as migration <c>m-{id}-0</c> and half its keys moved, the
    /// second pending, and <paramref name="eta"/> seconds to go.
    /// </summary>
    public static Plan Progressing(Plan plan, double? eta = 12.5) => plan with
    {
        Moves = plan.Moves.SetItem(0, plan.Moves[0] with { State = PlanState.Running, MigrationId = $"m-{plan.Id}-0", KeysMoved = plan.Moves[0].Keys / 2, StartedAt = Created }),
        KeysMoved = plan.Moves[0].Keys / 2,
        Progress = Math.Round((double)(plan.Moves[0].Keys / 2) / plan.KeysToMove, 4),
        EtaSeconds = eta,
    };

    /// <summary><paramref name="plan"/> ended: every move succeeded as migration <c>m-{id}-{index}</c>.</summary>
    public static Plan Succeeded(Plan plan, TimeSpan took) => plan with
    {
        State = PlanState.Succeeded,
        Moves = [.. plan.Moves.Select(m => m with { State = PlanState.Succeeded, MigrationId = $"m-{plan.Id}-{m.Index}", KeysMoved = m.Keys, FinishedAt = Created + took })],
        KeysMoved = plan.KeysToMove,
        Progress = 1,
        EtaSeconds = null,
        FinishedAt = Created + took,
    };
}
