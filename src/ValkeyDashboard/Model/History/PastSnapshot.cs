using ValkeyDashboard.Cluster.History;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Model.HeatMap;

namespace ValkeyDashboard.Model.History;

/// <summary>The live snapshot with each primary's slots and keys as a history point had them (pure), for the node cards.</summary>
public static class PastSnapshot
{
    /// <summary>
    /// <paramref name="live"/> with every primary's <see cref="ClusterNode.Slots"/> and <see cref="ClusterNode.Keys"/> taken
    /// from <paramref name="point"/> (keys summed over the slots it owned then; null where the point has no key layer).
    /// Everything else (health, memory, replicas) stays live: the history keeps per-slot figures only.
    /// </summary>
    public static ClusterSnapshot Apply(ClusterSnapshot live, SlotHistoryPoint point)
    {
        var owners = point.Layers[SlotHistoryPoint.OwnerLayer]!;
        var keys = point.Layers[(int)HeatMapLayer.Keys];
        var values = keys is null ? null : Enumerable.Range(0, 256).Select(b => SlotHeatQuantizer.Dequantize((byte)b, point.Scales[(int)HeatMapLayer.Keys])).ToArray();
        var slots = new List<int>[point.Owners.Length];
        var sums = new double[point.Owners.Length];
        for (var slot = 0; slot < owners.Length; slot++)
        {
            if (owners[slot] < slots.Length)
            {
                (slots[owners[slot]] ??= []).Add(slot);
                sums[owners[slot]] += values?[keys![slot]] ?? 0;
            }
        }

        var indexOf = point.Owners.Select((o, i) => (o.Id, i)).ToDictionary(o => o.Id, o => o.i, StringComparer.Ordinal);
        return live with
        {
            Nodes = [.. live.Nodes.Select(node => !node.IsPrimary ? node
                : indexOf.TryGetValue(node.Id, out var index)
                    ? node with { Slots = SlotRangeSet.FromSlots(slots[index] ?? []), Keys = keys is null ? null : (long)Math.Round(sums[index]) }
                    : node with { Slots = SlotRangeSet.Empty, Keys = keys is null ? null : 0 })],
        };
    }
}
