using System.Threading.Channels;
using ValkeyDashboard.Cluster.Concurrency;

namespace ValkeyDashboard.Cluster.Tests;

public class SubscriberChannelsTests
{
    [Fact]
    public async Task A_reader_gets_the_current_value_then_everything_published_after_it_subscribed()
    {
        var current = 1;
        var channels = new SubscriberChannels<int>(() => Channel.CreateUnbounded<int>());
        using var subscription = channels.Subscribe(() => current);

        channels.Publish(2, () => current = 2);
        channels.Publish(3, () => current = 3);
        channels.CompleteAll();

        Assert.Equal([1, 2, 3], await subscription.Reader.ReadAllAsync().ToListAsync());
    }

    [Fact]
    public void Subscribe_registers_at_once_and_dispose_leaves()
    {
        var channels = new SubscriberChannels<int>(() => Channel.CreateUnbounded<int>());

        var subscription = channels.Subscribe();
        Assert.Equal(1, channels.Count);
        channels.Publish(7);
        Assert.True(subscription.Reader.TryRead(out var item));
        Assert.Equal(7, item);

        subscription.Dispose();
        Assert.Equal(0, channels.Count);
    }

    [Fact]
    public async Task A_latest_wins_reader_skips_what_it_had_no_time_for()
    {
        var channels = new SubscriberChannels<int>(() => Channel.CreateBounded<int>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest }));
        using var subscription = channels.Subscribe();

        for (var i = 1; i <= 100; i++)
        {
            channels.Publish(i);
        }

        channels.CompleteAll();
        Assert.Equal([100], await subscription.Reader.ReadAllAsync().ToListAsync());
    }
}
