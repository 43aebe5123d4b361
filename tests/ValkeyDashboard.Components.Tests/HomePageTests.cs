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
    public void A_published_snapshot_shows_the_slot_heat_map_and_a_drop_target_card_per_primary()
    {
        var cut = Render<Home>();

        Snapshots.Publish(TestSnapshots.Ok());

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid^='node-card-']").Count));
        Assert.NotNull(cut.Find("canvas[data-testid='slot-heatmap']"));
        Assert.Equal(TestSnapshots.PrimaryIds, cut.FindAll("[data-drop-node]").Select(c => c.GetAttribute("data-drop-node")));
        Assert.StartsWith("6,000 keys", cut.Find("[data-testid='heatmap-updated']").Text(), StringComparison.Ordinal);
        Assert.NotNull(cut.Find("[data-testid='selection-summary']"));
        Assert.NotNull(cut.Find("[data-testid='no-migration-history']"));
        Assert.Empty(cut.FindAll("[data-testid='cluster-unreachable']"));
    }

    [Fact]
    public void Without_slot_statistics_the_page_says_CPU_and_network_are_not_reported()
    {
        var cut = Render<Home>();

        Snapshots.Publish(TestSnapshots.Ok());

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid='no-slot-stats']")));
    }

    [Fact]
    public void A_primary_keeps_its_colour_when_slot_0_changes_hands()
    {
        var before = TestSnapshots.Ok();
        // As the monitor publishes it: primaries ordered by first slot, so the one that received slot 0 comes first.
        var moved = before with
        {
            Nodes =
            [
                before.Nodes[1] with { Slots = Cluster.Model.SlotRangeSet.Parse("0-99,5461-10921") },
                before.Nodes[0] with { Slots = Cluster.Model.SlotRangeSet.Parse("100-5460") },
                .. before.Nodes.Skip(2),
            ],
            Version = 2,
        };
        Snapshots.Publish(before);
        var cut = Render<Home>();
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid^='node-card-']").Count));
        var colourBefore = CardStyle(cut, TestSnapshots.PrimaryIds[1]);

        Snapshots.Publish(moved);

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid='slot-range-chip-0-99']")));
        Assert.Equal(colourBefore, CardStyle(cut, TestSnapshots.PrimaryIds[1]));
        Assert.NotEqual(CardStyle(cut, TestSnapshots.PrimaryIds[0]), CardStyle(cut, TestSnapshots.PrimaryIds[1]));
    }

    private static string? CardStyle(IRenderedComponent<Home> cut, string id) => cut.Find($"[data-testid='node-card-{id}']").GetAttribute("style");

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
    public async Task Add_primary_on_the_page_goes_to_the_node_commands_as_the_signed_in_user()
    {
        Snapshots.Publish(TestSnapshots.Ok());
        var cut = Render<Home>();
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='add-primary']")));

        await cut.Find("[data-testid='add-primary']").ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());

        Assert.Equal(["add primary - by tester"], Nodes.Requests);
        await Snackbars.WaitForAssertionAsync(() => Assert.Contains("Adding an empty primary: done.", Snackbars.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_node_change_on_the_page_says_why()
    {
        Nodes.Error = Cluster.RequestRefusedException.Conflict("node 127.0.0.1:7003 is already running");
        Snapshots.Publish(TestSnapshots.Ok(failedReplica: 0));
        var cut = Render<Home>();
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find($"[data-testid='node-start-{TestSnapshots.ReplicaIds[0]}']")));

        await cut.Find($"[data-testid='node-start-{TestSnapshots.ReplicaIds[0]}']").ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());

        await Snackbars.WaitForAssertionAsync(() => Assert.Contains("Starting 127.0.0.1:7003: refused: node 127.0.0.1:7003 is already running", Snackbars.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Leaving_the_page_ends_its_subscription()
    {
        // The heat map source follows the cluster on its own, whether or not a page is open.
        var others = Snapshots.SubscriberCount;
        var cut = Render<Home>();
        await WaitUntilAsync(() => Snapshots.SubscriberCount == others + 1, "the page to follow the cluster");
        await WaitUntilAsync(() => Migrations.SubscriberCount == 1, "the page to follow the migrations");

        await DisposeComponentsAsync();

        Assert.Equal(others, Snapshots.SubscriberCount);
        Assert.Equal(0, Migrations.SubscriberCount);
    }
}
