using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Migrations.Impact;

/// <summary>Which slots the probe writes to: some spread over the moving slots, as many spread over the other assigned slots (pure).</summary>
public static class ImpactProbeSlots
{
    /// <summary>Up to <paramref name="count"/> slots evenly spread over <paramref name="moving"/>.</summary>
    public static ImmutableArray<int> Moving(SlotRangeSet moving, int count) => Spread([.. moving.Slots()], count);

    /// <summary>Up to <paramref name="count"/> assigned slots (an owner in <paramref name="owners"/>) outside <paramref name="moving"/>, evenly spread.</summary>
    public static ImmutableArray<int> Elsewhere(SlotRangeSet moving, IReadOnlyList<string?> owners, int count) =>
        Spread([.. Enumerable.Range(0, owners.Count).Where(s => owners[s] is not null && !moving.Contains(s))], count);

    private static ImmutableArray<int> Spread(IReadOnlyList<int> slots, int count)
    {
        if (slots.Count <= count)
        {
            return [.. slots];
        }

        // The middle of each of count equal parts.
        return [.. Enumerable.Range(0, count).Select(i => slots[(int)(((2L * i) + 1) * slots.Count / (2L * count))])];
    }
}
