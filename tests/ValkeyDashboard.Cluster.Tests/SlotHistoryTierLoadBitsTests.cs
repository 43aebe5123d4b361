using ValkeyDashboard.Cluster.History;

namespace ValkeyDashboard.Cluster.Tests;

/// <summary>
/// Each tier keeps its own bits of the CPU and network layers, the coarse tiers fewer; out-of-range bits are refused.
/// (How a coarse tier's point reads back from the store: <see cref="SlotHistoryStoreTests"/>.)
/// </summary>
public sealed class SlotHistoryTierLoadBitsTests
{
    [Fact]
    public void The_default_tiers_keep_seven_bits_for_the_last_hour_and_fewer_for_the_day_and_the_week()
    {
        var options = new SlotHistoryOptions();

        Assert.Equal(7, options.LoadBitsOf(0));
        Assert.Equal(SlotHistoryOptions.CoarseLoadBits, options.LoadBitsOf(1));
        Assert.Equal(SlotHistoryOptions.CoarseLoadBits, options.LoadBitsOf(2));
        Assert.InRange(SlotHistoryOptions.CoarseLoadBits, 1, 6);
        Assert.Null(options.TierProblem());
    }

    [Fact]
    public void A_configured_tier_without_its_own_bits_keeps_the_general_load_bits()
    {
        var options = new SlotHistoryOptions
        {
            LoadBits = 6,
            Tiers =
            [
                new() { Interval = TimeSpan.FromSeconds(5), Retention = TimeSpan.FromHours(1) },
                new() { Interval = TimeSpan.FromMinutes(5), Retention = TimeSpan.FromDays(2), LoadBits = 3 },
            ],
        };

        Assert.Equal(6, options.LoadBitsOf(0));
        Assert.Equal(3, options.LoadBitsOf(1));
        Assert.Null(options.TierProblem());
    }

    [Theory]
    [InlineData(0, "Dashboard:History:Tiers:1:LoadBits must be between 1 and 8.")]
    [InlineData(9, "Dashboard:History:Tiers:1:LoadBits must be between 1 and 8.")]
    [InlineData(-3, "Dashboard:History:Tiers:1:LoadBits must be between 1 and 8.")]
    [InlineData(1, null)]
    [InlineData(8, null)]
    public void A_tier_s_load_bits_must_be_between_one_and_eight(int bits, string? problem)
    {
        var options = new SlotHistoryOptions
        {
            Tiers =
            [
                new() { Interval = TimeSpan.FromSeconds(10), Retention = TimeSpan.FromHours(1) },
                new() { Interval = TimeSpan.FromMinutes(1), Retention = TimeSpan.FromDays(1), LoadBits = bits },
            ],
        };

        Assert.Equal(problem, options.TierProblem());
    }
}
