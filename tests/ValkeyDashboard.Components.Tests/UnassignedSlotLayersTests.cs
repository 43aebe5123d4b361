using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Model.HeatMap;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// Slots no primary owns, on the server side of the heat map: the owner layer marks them with the contract's unassigned
/// value (not a primary's index), they carry no figures, and a browser learns at once when slots lose or regain an owner.
/// </summary>
public class UnassignedSlotLayersTests
{
    private static readonly SlotRange Removed = new(16300, 16303);

    private static ClusterSnapshot WithoutOwner(ClusterSnapshot snapshot, SlotRange range, SlotStatistics? statistics = null)
    {
        var owners = snapshot.SlotOwners.ToBuilder();
        for (var slot = range.Start; slot <= range.End; slot++)
        {
            owners[slot] = null;
        }

        return snapshot with { SlotOwners = owners.ToImmutable(), SlotsAssigned = SlotRange.SlotCount - range.Count, State = ClusterState.Fail, SlotStatistics = statistics ?? snapshot.SlotStatistics };
    }

    private static SlotStatistics Figures(Func<int, long> perSlot)
    {
        long[] Each() => [.. Enumerable.Range(0, SlotRange.SlotCount).Select(perSlot)];
        return new SlotStatistics(Each(), Each(), Each(), Each());
    }

    [Fact]
    public void Unassigned_slots_carry_the_unassigned_owner_value_and_the_slots_around_them_their_owners_index()
    {
        var layers = SlotHeatLayers.From(WithoutOwner(TestSnapshots.Ok(), Removed), null, null);

        var owner = layers[HeatMapLayer.Owner].ToArray();
        Assert.Equal(Enumerable.Range(Removed.Start, Removed.Count), Enumerable.Range(0, SlotRange.SlotCount).Where(s => owner[s] == HeatMapWire.Unassigned));
        Assert.Equal(2, owner[Removed.Start - 1]);
        Assert.Equal(2, owner[Removed.End + 1]);
        Assert.DoesNotContain(layers.Owners, o => o.Index == HeatMapWire.Unassigned);
    }

    [Fact]
    public void A_slot_that_lost_its_owner_gets_no_rate_even_from_a_counter_that_rose()
    {
        var before = TestSnapshots.Ok(version: 1, statistics: Figures(_ => 1_000));
        // The old owner's counters for those slots are stale: the slot statistics no longer belong to anyone.
        var after = WithoutOwner(TestSnapshots.Ok(version: 2, statistics: Figures(_ => 5_000)), Removed);

        var layers = SlotHeatLayers.From(after, before, SlotHeatLayers.From(before, null, null));

        foreach (var layer in new[] { HeatMapLayer.Cpu, HeatMapLayer.NetworkIn, HeatMapLayer.NetworkOut })
        {
            Assert.All(Enumerable.Range(Removed.Start, Removed.Count), slot => Assert.Equal(0, layers[layer][slot]));
            Assert.NotEqual(0, layers[layer][Removed.Start - 1]);
        }
    }

    [Fact]
    public void Slots_that_lose_and_regain_their_owner_reach_the_browser_as_a_small_change_of_the_owner_layer()
    {
        var encoder = new HeatMapFrameEncoder();
        var browser = new BrowserHeatMap();
        var ok = TestSnapshots.Ok(version: 1, statistics: TestSnapshots.Keys((Removed.Start - 1, 40)));
        var first = SlotHeatLayers.From(ok, null, null);
        while (encoder.Encode(first, HeatMapLayer.Keys) is { } frame)
        {
            browser.Apply(frame);
        }

        var unassigned = SlotHeatLayers.From(WithoutOwner(ok with { Version = 2 }, Removed), ok, first);
        var lost = encoder.Encode(unassigned, HeatMapLayer.Keys)!;
        browser.Apply(lost);

        var section = Assert.Single(HeatMapFrame.Decode(lost).Sections);
        Assert.Equal(HeatMapLayer.Owner, section.Layer);
        Assert.Equal(FrameEncoding.Changes, section.Encoding);
        Assert.Equal(HeatMapWire.CountSize + Removed.Count * (HeatMapWire.SlotSize + 1), section.Payload.Length);
        Assert.All(Enumerable.Range(Removed.Start, Removed.Count), slot => Assert.Equal(HeatMapWire.Unassigned, browser[HeatMapLayer.Owner][slot]));
        Assert.Equal(2, browser[HeatMapLayer.Owner][Removed.Start - 1]);
        Assert.Equal(first[HeatMapLayer.Keys].ToArray(), browser[HeatMapLayer.Keys]);

        var regained = SlotHeatLayers.From(ok with { Version = 3 }, null, unassigned);
        browser.Apply(encoder.Encode(regained, HeatMapLayer.Keys)!);

        Assert.All(Enumerable.Range(Removed.Start, Removed.Count), slot => Assert.Equal(2, browser[HeatMapLayer.Owner][slot]));
        Assert.Null(encoder.Encode(regained, HeatMapLayer.Keys));
    }
}
