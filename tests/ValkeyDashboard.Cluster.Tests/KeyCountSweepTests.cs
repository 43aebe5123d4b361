using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;

namespace ValkeyDashboard.Cluster.Tests;

public class KeyCountSweepTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.UnixEpoch;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private static readonly SlotRangeSet Slots = SlotRangeSet.Parse("0-5460");

    [Fact]
    public void The_first_sweep_is_due_at_once() =>
        Assert.True(KeyCountSweeps.IsDue(null, Slots, Start, Interval));

    [Fact]
    public void Between_sweeps_the_last_counts_are_kept()
    {
        var last = new KeyCountSweeps.Sweep(Slots, Start, []);

        Assert.False(KeyCountSweeps.IsDue(last, Slots, Start + TimeSpan.FromSeconds(9.9), Interval));
        Assert.True(KeyCountSweeps.IsDue(last, Slots, Start + Interval, Interval));
    }

    [Fact]
    public void A_primary_whose_slots_changed_is_swept_at_once()
    {
        var last = new KeyCountSweeps.Sweep(Slots, Start, []);

        Assert.True(KeyCountSweeps.IsDue(last, SlotRangeSet.Parse("0-5400"), Start + TimeSpan.FromSeconds(1), Interval));
    }
}
