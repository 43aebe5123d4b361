using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Tests;

public sealed class MonitorCadenceTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(30);
    private static readonly MonitorCadence Fresh = MonitorCadence.Initial(Second);

    [Theory]
    [InlineData(0, 1000, false)]
    [InlineData(350, 1000, false)]
    [InlineData(800, 1000, false)]
    [InlineData(801, 1700, true)]
    [InlineData(1250, 2500, true)]
    [InlineData(1234, 2500, true)]
    [InlineData(20000, 30000, true)]
    public void A_poll_that_fits_keeps_the_configured_interval_and_a_longer_one_stretches_it_to_twice_its_duration(int pollMs, int expectedIntervalMs, bool slow)
    {
        var cadence = Fresh.After(TimeSpan.FromMilliseconds(pollMs), Longest);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedIntervalMs), cadence.Interval);
        Assert.Equal(slow, cadence.IsSlow);
        Assert.Equal(Second, cadence.ConfiguredInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(pollMs), cadence.LastPollDuration);
    }

    [Fact]
    public void The_next_poll_starts_one_interval_after_the_last_one_started()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(700), Fresh.After(TimeSpan.FromMilliseconds(300), Longest).DelayAfterPoll);
        // Stretched to 2.4 s: the monitor waits as long as the poll took, busy at most half the time.
        Assert.Equal(TimeSpan.FromMilliseconds(1200), Fresh.After(TimeSpan.FromMilliseconds(1200), Longest).DelayAfterPoll);
        // Longer than the longest interval: the next poll starts at once.
        Assert.Equal(TimeSpan.Zero, Fresh.After(TimeSpan.FromSeconds(40), Longest).DelayAfterPoll);
    }

    [Theory]
    [InlineData(700, 1400)]
    [InlineData(501, 1100)]
    [InlineData(500, 1000)]
    [InlineData(200, 1000)]
    public void Once_slow_the_configured_interval_comes_back_when_a_poll_takes_at_most_half_of_it(int pollMs, int expectedIntervalMs)
    {
        var slow = Fresh.After(TimeSpan.FromSeconds(3), Longest);

        var next = slow.After(TimeSpan.FromMilliseconds(pollMs), Longest);

        Assert.True(slow.IsSlow);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedIntervalMs), next.Interval);
        Assert.Equal(expectedIntervalMs > 1000, next.IsSlow);
    }
}
