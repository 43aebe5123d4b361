using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Cluster.Migrations.OpenSlots;

/// <summary>
/// Finds the cluster's open slots: each primary lists its own in <c>CLUSTER NODES</c> (<c>[slot-&gt;-id]</c>
/// migrating, <c>[slot-&lt;-id]</c> importing, on its <c>myself</c> line only), so every primary is asked.
/// </summary>
public static class OpenSlotScanner
{
    /// <summary>
    /// The open slots of the cluster, by slot. <paramref name="primaries"/> are the primaries to ask (failed ones are
    /// skipped: they cannot be repaired anyway); a primary that does not answer throws <see cref="ValkeyException"/>.
    /// </summary>
    public static async Task<ImmutableArray<OpenSlot>> ScanAsync(ValkeyAdminClient valkey, IEnumerable<ClusterNode> primaries)
    {
        var online = primaries.Where(p => p.IsPrimary && p.Health == NodeHealth.Online).ToList();
        var views = await Task.WhenAll(online.Select(async p => (await valkey.ClusterNodesAsync(p.Endpoint)).Single(l => l.IsMyself)));
        return Find(views);
    }

    /// <summary>The open slots in the <c>myself</c> lines of the primaries' <c>CLUSTER NODES</c>; pure.</summary>
    public static ImmutableArray<OpenSlot> Find(IEnumerable<ClusterNodesEntry> myselfLines)
    {
        var lines = myselfLines.ToList();
        return [.. lines
            .SelectMany(l => l.OpenSlots.Select(mark => (Line: l, Mark: mark)))
            .GroupBy(x => x.Mark.Slot)
            .OrderBy(g => g.Key)
            .Select(g => new OpenSlot(
                g.Key,
                lines.FirstOrDefault(l => l.Slots.Contains(g.Key))?.Id,
                [.. g.Where(x => x.Mark.Direction == OpenSlotDirection.Migrating).Select(x => new OpenSlotNode(x.Line.Id, x.Line.Endpoint, x.Mark.PeerId))],
                [.. g.Where(x => x.Mark.Direction == OpenSlotDirection.Importing).Select(x => new OpenSlotNode(x.Line.Id, x.Line.Endpoint, x.Mark.PeerId))]))];
    }
}
