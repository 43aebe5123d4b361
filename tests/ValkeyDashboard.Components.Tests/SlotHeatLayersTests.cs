using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Model.HeatMap;

namespace ValkeyDashboard.Components.Tests;

/// <summary>A snapshot as heat map layers: owners by colour index, keys, and CPU and network as rates per second.</summary>
public class SlotHeatLayersTests
{
    private static SlotStatistics Cpu(params (int Slot, long Usec)[] counters)
    {
        var cpu = new long[SlotRange.SlotCount];
        foreach (var (slot, usec) in counters)
        {
            cpu[slot] = usec;
        }

        return new SlotStatistics(new long[SlotRange.SlotCount], cpu, new long[SlotRange.SlotCount], new long[SlotRange.SlotCount]);
    }

    [Fact]
    public void Owners_are_indexed_in_endpoint_order_with_their_colours_and_unassigned_slots_are_255()
    {
        var ok = TestSnapshots.Ok();
        var snapshot = ok with { SlotOwners = ok.SlotOwners.SetItem(16383, null) };

        var layers = SlotHeatLayers.From(snapshot, null, null);

        // The palette's first three colours, written out: taking them from the code under test could not catch a change.
        HeatMapOwner[] expected =
        [
            new HeatMapOwner(0, TestSnapshots.PrimaryIds[0], "127.0.0.1:7000", "#4e79a7"),
            new HeatMapOwner(1, TestSnapshots.PrimaryIds[1], "127.0.0.1:7001", "#f28e2b"),
            new HeatMapOwner(2, TestSnapshots.PrimaryIds[2], "127.0.0.1:7002", "#59a14f"),
        ];
        Assert.Equal(expected, layers.Owners.ToArray());
        Assert.Equal(0, layers[HeatMapLayer.Owner][0]);
        Assert.Equal(1, layers[HeatMapLayer.Owner][5461]);
        Assert.Equal(2, layers[HeatMapLayer.Owner][16382]);
        Assert.Equal(SlotHeatLayers.Unassigned, layers[HeatMapLayer.Owner][16383]);
        Assert.Equal(snapshot.Version, layers.Version);
    }

    [Fact]
    public void Without_slot_statistics_only_owners_and_keys_are_reported()
    {
        var layers = SlotHeatLayers.From(TestSnapshots.Ok(statistics: TestSnapshots.Keys((7, 300))), null, null);

        Assert.True(layers.Has(HeatMapLayer.Keys));
        Assert.Equal(512, layers.ScaleOf(HeatMapLayer.Keys));
        Assert.InRange(SlotHeatQuantizer.Dequantize(layers[HeatMapLayer.Keys][7], 512), 300 * 0.977, 300 * 1.023);
        Assert.False(layers.Has(HeatMapLayer.Cpu));
        Assert.False(layers.Has(HeatMapLayer.NetworkIn));
        Assert.False(layers.Has(HeatMapLayer.NetworkOut));
    }

    [Fact]
    public void Counters_become_rates_per_second_between_two_snapshots()
    {
        var before = TestSnapshots.Ok(version: 1, statistics: Cpu((5, 10_000)));
        var after = TestSnapshots.Ok(version: 3, statistics: Cpu((5, 12_000))) with { Version = 2 };

        var layers = SlotHeatLayers.From(after, before, SlotHeatLayers.From(before, null, null));

        var rate = SlotHeatQuantizer.Dequantize(layers[HeatMapLayer.Cpu][5], layers.ScaleOf(HeatMapLayer.Cpu));
        Assert.InRange(rate, 1_000 * 0.977, 1_000 * 1.023);
        Assert.Equal(0, layers[HeatMapLayer.Cpu][6]);
    }

    [Fact]
    public void The_first_snapshot_has_no_rates_yet()
    {
        var layers = SlotHeatLayers.From(TestSnapshots.Ok(statistics: Cpu((5, 10_000))), null, null);

        Assert.True(layers.Has(HeatMapLayer.Cpu));
        Assert.Equal(0, layers[HeatMapLayer.Cpu][5]);
    }

    [Fact]
    public void No_rate_is_taken_across_a_change_of_owner_or_a_counter_reset()
    {
        var before = TestSnapshots.Ok(version: 1, statistics: Cpu((5, 10_000), (6, 50_000)));
        var moved = TestSnapshots.Ok(version: 2, statistics: Cpu((5, 90_000), (6, 100)));
        moved = moved with { SlotOwners = moved.SlotOwners.SetItem(5, TestSnapshots.PrimaryIds[1]) };

        var layers = SlotHeatLayers.From(moved, before, null);

        Assert.Equal(0, layers[HeatMapLayer.Cpu][5]);
        Assert.Equal(0, layers[HeatMapLayer.Cpu][6]);
    }

    [Fact]
    public void A_scale_that_still_fits_is_kept_from_the_layers_before()
    {
        var first = SlotHeatLayers.From(TestSnapshots.Ok(version: 1, statistics: TestSnapshots.Keys((7, 1_000))), null, null);

        var second = SlotHeatLayers.From(TestSnapshots.Ok(version: 2, statistics: TestSnapshots.Keys((7, 900))), null, first);

        Assert.Equal(1_024, first.ScaleOf(HeatMapLayer.Keys));
        Assert.Equal(1_024, second.ScaleOf(HeatMapLayer.Keys));
    }
}
