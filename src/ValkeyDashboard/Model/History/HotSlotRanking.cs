using ValkeyDashboard.Cluster.History;
using ValkeyDashboard.Model.HeatMap;

namespace ValkeyDashboard.Model.History;

/// <summary>What the hot-slot list ranks by. Wire names: <c>cpu</c>, <c>network</c> (in + out), <c>networkIn</c>, <c>networkOut</c>, <c>keys</c>.</summary>
public enum HotSlotMetric
{
    Cpu = 0,
    Network = 1,
    NetworkIn = 2,
    NetworkOut = 3,
    Keys = 4,
}

/// <summary>
/// A hot slot: its figure averaged over the window (µs/s, B/s or keys), its owner at the window's end, its share of that
/// owner's total, and its trend (the change against the window before, as a ratio: 0.5 = half as much again; null when
/// there is nothing to compare with).
/// </summary>
public sealed record HotSlot(int Slot, double Value, string? OwnerId, string? OwnerEndpoint, double Share, double? Trend);

/// <summary>The top slots of a window of history points (pure).</summary>
public static class HotSlotRanking
{
    /// <summary>
    /// The <paramref name="limit"/> slots with the highest average <paramref name="metric"/> over <paramref name="window"/>
    /// (slots at 0 left out), highest first; empty when the window has no point or the cluster did not report the metric.
    /// </summary>
    public static IReadOnlyList<HotSlot> Rank(IReadOnlyList<SlotHistoryPoint> window, IReadOnlyList<SlotHistoryPoint> previous, HotSlotMetric metric, int limit)
    {
        var averages = Averages(window, metric);
        if (averages is null)
        {
            return [];
        }

        var before = Averages(previous, metric);
        var latest = window[^1];
        var owners = latest.Layers[SlotHistoryPoint.OwnerLayer]!;
        var totals = new double[256];
        for (var slot = 0; slot < averages.Length; slot++)
        {
            totals[owners[slot]] += averages[slot];
        }

        return [.. Enumerable.Range(0, averages.Length)
            .Where(slot => averages[slot] > 0)
            .OrderByDescending(slot => averages[slot]).ThenBy(slot => slot)
            .Take(limit)
            .Select(slot =>
            {
                var owner = owners[slot] < latest.Owners.Length ? latest.Owners[owners[slot]] : null;
                double? trend = before is null || before[slot] <= 0 ? null : (averages[slot] - before[slot]) / before[slot];
                return new HotSlot(slot, averages[slot], owner?.Id, owner?.Endpoint, averages[slot] / totals[owners[slot]], trend);
            })];
    }

    /// <summary>Each slot's figure averaged over <paramref name="points"/>, or null when none of them reports the metric.</summary>
    private static double[]? Averages(IReadOnlyList<SlotHistoryPoint> points, HotSlotMetric metric)
    {
        var layers = LayersOf(metric);
        var sums = new double[Cluster.Model.SlotRange.SlotCount];
        var counted = 0;
        foreach (var point in points)
        {
            if (layers.Any(l => point.Layers[(int)l] is null))
            {
                continue;
            }

            counted++;
            foreach (var layer in layers)
            {
                var bytes = point.Layers[(int)layer]!;
                // 256 values per layer and point, looked up rather than computed 16,384 times.
                var values = Enumerable.Range(0, 256).Select(b => SlotHeatQuantizer.Dequantize((byte)b, point.Scales[(int)layer])).ToArray();
                for (var slot = 0; slot < sums.Length; slot++)
                {
                    sums[slot] += values[bytes[slot]];
                }
            }
        }

        if (counted == 0)
        {
            return null;
        }

        for (var slot = 0; slot < sums.Length; slot++)
        {
            sums[slot] /= counted;
        }

        return sums;
    }

    private static HeatMapLayer[] LayersOf(HotSlotMetric metric) => metric switch
    {
        HotSlotMetric.Cpu => [HeatMapLayer.Cpu],
        HotSlotMetric.Network => [HeatMapLayer.NetworkIn, HeatMapLayer.NetworkOut],
        HotSlotMetric.NetworkIn => [HeatMapLayer.NetworkIn],
        HotSlotMetric.NetworkOut => [HeatMapLayer.NetworkOut],
        HotSlotMetric.Keys => [HeatMapLayer.Keys],
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "not a hot-slot metric"),
    };
}
