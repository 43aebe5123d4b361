using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.History;
using ValkeyDashboard.Model.HeatMap;

namespace ValkeyDashboard.Model.History;

/// <summary>Points of one tier: the tier's number and interval, and the points oldest first.</summary>
public sealed record SlotHistoryRange(int Tier, TimeSpan Interval, IReadOnlyList<SlotHistoryPoint> Points);

/// <summary>One stored moment: the point, the tier it came from and that tier's interval.</summary>
public sealed record SlotHistoryMoment(int Tier, TimeSpan Interval, SlotHistoryPoint Point)
{
    /// <summary>The moment as heat map layers.</summary>
    public SlotHeatLayers Layers { get; } = SlotHeatLayers.FromHistory(Point);
}

/// <summary>The hot slots of a window (<see cref="Window"/> null: the latest figures), from <see cref="From"/> to <see cref="To"/>.</summary>
public sealed record HotSlotList(HotSlotMetric Metric, TimeSpan? Window, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<HotSlot> Slots);

/// <summary>
/// The slot history as the page and the API ask for it (one implementation for both): ranges from the finest tier that
/// covers them, single moments, the stored extent, and the hot slots of a window.
/// </summary>
public sealed class SlotHistory(SlotHistoryStore store, SlotHeatMapSource live, IOptions<SlotHistoryOptions> options, TimeProvider time)
{
    /// <summary>Most points one range answers with; a longer range is answered by a coarser tier.</summary>
    public const int MaxPoints = 1_000;

    /// <summary>The longest hot-slot window: a day (compared with the day before, from the coarsest tier).</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(1);

    public IReadOnlyList<SlotHistoryTier> Tiers => options.Value.EffectiveTiers;

    /// <summary>
    /// The points from <paramref name="from"/> to <paramref name="to"/> of the finest tier that holds
    /// <paramref name="from"/> and answers with at most <see cref="MaxPoints"/> (at most that many from the coarsest).
    /// </summary>
    public async Task<SlotHistoryRange> RangeAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var tiers = Tiers;
        var tier = SlotHistoryTiers.TierFor(tiers, from, time.GetUtcNow());
        while (tier < tiers.Count - 1 && (to - from) / tiers[tier].Interval > MaxPoints)
        {
            tier++;
        }

        return new SlotHistoryRange(tier, tiers[tier].Interval, await store.ReadRangeAsync(tier, from, to, MaxPoints, cancellationToken));
    }

    /// <summary>The nearest stored point at or before <paramref name="at"/>, or null when none is.</summary>
    public async Task<SlotHistoryMoment?> AtAsync(DateTimeOffset at, CancellationToken cancellationToken = default) =>
        await store.ReadAtAsync(at, cancellationToken) is { } found ? new SlotHistoryMoment(found.Tier, Tiers[found.Tier].Interval, found.Point) : null;

    /// <summary>The first and last stored moments, or null while nothing is stored.</summary>
    public Task<(DateTimeOffset First, DateTimeOffset Last)?> ExtentAsync(CancellationToken cancellationToken = default) => store.ExtentAsync(cancellationToken);

    /// <summary>
    /// The <paramref name="limit"/> hottest slots by <paramref name="metric"/>, averaged over the last
    /// <paramref name="window"/> of history and compared with the window before it; with no window the latest figures
    /// (compared with the point one finest interval earlier).
    /// </summary>
    public async Task<HotSlotList> HotAsync(HotSlotMetric metric, TimeSpan? window, int limit, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (window is not { } length)
        {
            var layers = live.Current;
            var latest = layers.Version == 0 ? [] : new[] { layers.ToHistoryPoint(now) };
            var before = await store.ReadAtAsync(now - Tiers[0].Interval, cancellationToken) is { } point ? new[] { point.Point } : [];
            return new HotSlotList(metric, null, now, now, HotSlotRanking.Rank(latest, before, metric, limit));
        }

        // Both windows from one tier, so they are averaged alike.
        var range = await RangeAsync(now - 2 * length, now, cancellationToken);
        var start = now - length;
        var current = range.Points.Where(p => p.At > start).ToList();
        var previous = range.Points.Where(p => p.At <= start).ToList();
        if (current.Count == 0 && previous.Count > 0)
        {
            // A window shorter than the tier's interval: its latest point stands for it.
            current.Add(previous[^1]);
            previous.RemoveAt(previous.Count - 1);
        }

        return new HotSlotList(metric, length, start, now, HotSlotRanking.Rank(current, previous, metric, limit));
    }
}
