using ValkeyDashboard.Model.History;

namespace ValkeyDashboard.Components.Tests;

/// <summary>The node cards at a past moment: each primary's slots and keys as the history point had them, the rest live.</summary>
public sealed class PastSnapshotTests
{
    [Fact]
    public void Each_primary_gets_the_slots_it_owned_then_and_the_keys_summed_over_them()
    {
        var live = TestSnapshots.Ok();
        var point = HistoryPoints.At(TestMigrations.Created, slot0Owner: 1);

        var past = PastSnapshot.Apply(live, point);

        var primaries = past.Primaries.ToList();
        Assert.Equal("1-5460", primaries[0].Slots.ToString());
        Assert.Equal("0,5461-10921", primaries[1].Slots.ToString());
        // 10 keys in every slot (quantised: read back within a few per cent).
        Assert.InRange(primaries[0].Keys!.Value, 5460 * 9.7, 5460 * 10.3);
        Assert.InRange(primaries[1].Keys!.Value, 5462 * 9.7, 5462 * 10.3);
        Assert.Equal(live.Primaries.First().UsedMemoryBytes, primaries[0].UsedMemoryBytes);
        Assert.Equal(live.Nodes.Where(n => !n.IsPrimary), past.Nodes.Where(n => !n.IsPrimary));
    }
}
