using ValkeyDashboard.Cluster.Migrations.Impact;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Tests;

public class ImpactSamplesTests
{
    [Fact]
    public void Percentiles_are_nearest_rank_over_both_sides_and_each_side_apart()
    {
        var samples = new ImpactSamples();
        for (var i = 1; i <= 100; i++)
        {
            samples.AddLatency(moving: i % 2 == 0, i);
        }

        samples.AddError();
        samples.AddWriteStall(12.5);
        samples.AddWriteStall(3);

        var impact = samples.ToImpact();

        Assert.Equal(50, impact.P50Ms);
        Assert.Equal(99, impact.P99Ms);
        Assert.Equal(12.5, impact.MaxPauseMs);
        Assert.Equal(100, impact.Probes);
        Assert.Equal(1, impact.Errors);
        Assert.Equal(new ImpactLatency(50, 100, 50), impact.Moving);
        Assert.Equal(new ImpactLatency(49, 99, 50), impact.Elsewhere);
    }

    [Fact]
    public void No_samples_give_zeros_not_an_error()
    {
        var impact = new ImpactSamples().ToImpact();

        Assert.Equal(new MigrationImpact(0, 0, 0, 0, 0, new ImpactLatency(0, 0, 0), new ImpactLatency(0, 0, 0)), impact);
    }

    [Fact]
    public void Past_the_kept_samples_the_count_stays_exact()
    {
        var samples = new ImpactSamples();
        for (var i = 0; i < ImpactSamples.MaxSamplesPerSide + 10; i++)
        {
            samples.AddLatency(moving: true, 1);
        }

        Assert.Equal(ImpactSamples.MaxSamplesPerSide + 10, samples.ToImpact().Moving.Probes);
    }
}

public class ImpactProbeSlotsTests
{
    [Fact]
    public void Moving_slots_are_spread_over_the_migration_s_slots()
    {
        Assert.Equal([12, 37, 62, 87], ImpactProbeSlots.Moving(SlotRangeSet.Parse("0-99"), 4).ToArray());
        Assert.Equal([5, 7], ImpactProbeSlots.Moving(SlotRangeSet.Parse("5,7"), 4).ToArray());
    }

    [Fact]
    public void Other_slots_are_assigned_and_outside_the_migration()
    {
        var owners = new string?[SlotRange.SlotCount];
        for (var s = 0; s < 200; s++)
        {
            owners[s] = s < 100 ? "a" : "b";
        }

        var elsewhere = ImpactProbeSlots.Elsewhere(SlotRangeSet.Parse("0-49"), owners, 3);

        Assert.Equal(3, elsewhere.Length);
        Assert.All(elsewhere, s => Assert.InRange(s, 50, 199));
    }
}
