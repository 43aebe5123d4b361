using Bunit;
using ValkeyDashboard.Components.Pages;

namespace ValkeyDashboard.Components.Tests;

public class HomePageTests : DashboardTestContext
{
    [Fact]
    public void Before_the_first_snapshot_the_page_says_it_is_reading_the_cluster()
    {
        var cut = Render<Home>();

        Assert.NotNull(cut.Find("[data-testid='cluster-loading']"));
        Assert.Empty(cut.FindAll("[data-testid^='node-card-']"));
    }

    [Fact]
    public void A_published_snapshot_shows_a_card_per_primary_and_the_slot_ownership_bar()
    {
        var cut = Render<Home>();

        Snapshots.Publish(TestSnapshots.Ok());

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid^='node-card-']").Count));
        Assert.Equal(3, cut.FindAll("[data-testid='slot-ownership'] .segment").Count);
        Assert.Contains("6,000 keys on primaries", cut.Markup, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid='cluster-unreachable']"));
    }

    [Fact]
    public void Later_snapshots_update_the_page_live()
    {
        Snapshots.Publish(TestSnapshots.Ok());
        var cut = Render<Home>();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid='nodes-failed']")));

        Snapshots.Publish(TestSnapshots.Ok(version: 2, failedReplica: 0));

        cut.WaitForAssertion(() => Assert.Contains("1 node(s) failed", cut.Find("[data-testid='nodes-failed']").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void An_unreachable_cluster_is_reported_with_the_reason_and_the_last_topology_stays()
    {
        var ok = TestSnapshots.Ok();
        Snapshots.Publish(ok);
        var cut = Render<Home>();

        Snapshots.Publish(TestSnapshots.Unreachable(ok));

        cut.WaitForAssertion(() => Assert.Contains("no node of the cluster answered", cut.Find("[data-testid='cluster-unreachable']").TextContent, StringComparison.Ordinal));
        Assert.Equal(3, cut.FindAll("[data-testid^='node-card-']").Count);
    }

    [Fact]
    public async Task Leaving_the_page_ends_its_subscription()
    {
        var cut = Render<Home>();
        cut.WaitForAssertion(() => Assert.Equal(1, Snapshots.SubscriberCount));

        await DisposeComponentsAsync();

        cut.WaitForAssertion(() => Assert.Equal(0, Snapshots.SubscriberCount));
    }
}
