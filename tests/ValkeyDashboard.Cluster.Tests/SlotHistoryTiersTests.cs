using ValkeyDashboard.Cluster.History;

namespace ValkeyDashboard.Cluster.Tests;

/// <summary>Tiers roll over together on interval boundaries, and a question is answered by the finest tier that still holds its start.</summary>
public sealed class SlotHistoryTiersTests
{
    private static readonly DateTimeOffset Minute = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, 9.9, false)] // still the same 10 s
    [InlineData(0, 10, true)]
    [InlineData(9.9, 10.1, true)] // a new 10 s began, however short the gap
    [InlineData(50, 59, false)]
    public void A_tier_records_when_a_new_interval_began(double lastSeconds, double nowSeconds, bool due) =>
        Assert.Equal(due, SlotHistoryTiers.IsDue(TimeSpan.FromSeconds(10), Minute.AddSeconds(lastSeconds), Minute.AddSeconds(nowSeconds)));

    [Fact]
    public void The_minute_tier_rolls_over_with_the_ten_second_point_at_the_full_minute()
    {
        var tiers = SlotHistoryOptions.DefaultTiers;
        DateTimeOffset? last10 = null, lastMinute = null;
        var minuteRecords = new List<DateTimeOffset>();
        var tenSecondRecords = 0;
        for (var at = Minute.AddSeconds(5); at < Minute.AddMinutes(3); at += TimeSpan.FromSeconds(1))
        {
            if (SlotHistoryTiers.IsDue(tiers[0].Interval, last10, at))
            {
                last10 = at;
                tenSecondRecords++;
            }

            if (SlotHistoryTiers.IsDue(tiers[1].Interval, lastMinute, at))
            {
                lastMinute = at;
                minuteRecords.Add(at);
            }
        }

        Assert.Equal(18, tenSecondRecords); // at :05, then every 10 s boundary until 3 min
        Assert.Equal([Minute.AddSeconds(5), Minute.AddMinutes(1), Minute.AddMinutes(2)], minuteRecords);
    }

    [Theory]
    [InlineData(30, 0)] // 30 min ago: the 10 s tier still holds it
    [InlineData(61, 1)] // past the hour: the minute tier
    [InlineData(60 * 30, 2)] // 30 h ago: the 10 min tier
    [InlineData(60 * 24 * 30, 2)] // beyond every tier: the coarsest
    public void A_range_is_answered_by_the_finest_tier_that_holds_its_start(int minutesAgo, int tier) =>
        Assert.Equal(tier, SlotHistoryTiers.TierFor(SlotHistoryOptions.DefaultTiers, Minute.AddMinutes(-minutesAgo), Minute));

    [Fact]
    public void Tiers_must_go_from_finest_to_coarsest_and_keep_at_least_one_interval()
    {
        Assert.Null(new SlotHistoryOptions().TierProblem());
        var reversed = new SlotHistoryOptions { Tiers = [new() { Interval = TimeSpan.FromMinutes(1), Retention = TimeSpan.FromHours(1) }, new() { Interval = TimeSpan.FromSeconds(10), Retention = TimeSpan.FromHours(1) }] };
        Assert.Contains("finest to the coarsest", reversed.TierProblem());
        var short_ = new SlotHistoryOptions { Tiers = [new() { Interval = TimeSpan.FromMinutes(1), Retention = TimeSpan.FromSeconds(1) }] };
        Assert.Contains("Retention of at least its Interval", short_.TierProblem());
    }
}
