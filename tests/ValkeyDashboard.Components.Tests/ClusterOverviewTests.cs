using System.Security.Claims;
using Bunit;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Clusters;
using ValkeyDashboard.Components.Pages;

namespace ValkeyDashboard.Components.Tests;

/// <summary>The /clusters overview: every cluster the user may use, its state and figures, each a link, kept live.</summary>
public class ClusterOverviewTests : DashboardTestContext
{
    public ClusterOverviewTests()
    {
        Fleet.Publish(FakeClusterFleet.Summary("main", ClusterState.Ok, nodes: 6, keys: 1234, isDefault: true));
        Fleet.Publish(FakeClusterFleet.Summary("second", ClusterState.Ok, nodes: 3, keys: 42));
        Fleet.Publish(FakeClusterFleet.Summary("gone", ClusterState.Unreachable, nodes: 0, keys: 0, error: "no node answers: connection refused"));
    }

    [Fact]
    public void Every_cluster_is_a_row_with_its_state_and_figures_linking_to_its_page()
    {
        var cut = Render<ClusterOverview>();

        Assert.Equal(["cluster-row-main", "cluster-row-second", "cluster-row-gone"], cut.FindAll("tr[data-testid^='cluster-row-']").Select(r => r.GetAttribute("data-testid")));
        Assert.Equal("/clusters/second", cut.Find("[data-testid='cluster-link-second']").GetAttribute("href"));
        Assert.Equal("ok", cut.Find("[data-testid='cluster-state-main']").TextContent.Trim());
        Assert.Equal("unreachable", cut.Find("[data-testid='cluster-state-gone']").TextContent.Trim());
        Assert.Equal("no node answers: connection refused", cut.Find("[data-testid='cluster-error-gone']").TextContent.Trim());
        Assert.Equal("1,234", cut.Find("[data-testid='cluster-keys-main']").TextContent.Trim());
        Assert.Equal("3", cut.Find("[data-testid='cluster-nodes-second']").TextContent.Trim());
        Assert.StartsWith("16,384", cut.Find("[data-testid='cluster-slots-second']").TextContent.Trim(), StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid='cluster-error-main']"));
    }

    [Fact]
    public void A_cluster_that_changes_is_shown_changed_without_reloading_the_page()
    {
        var cut = Render<ClusterOverview>();
        cut.WaitForAssertion(() => Assert.Equal(1, Fleet.SubscriberCount));

        Fleet.Publish(FakeClusterFleet.Summary("gone", ClusterState.Ok, nodes: 3, keys: 7) with { RunningMigrations = 2 });

        cut.WaitForAssertion(() => Assert.Equal("ok", cut.Find("[data-testid='cluster-state-gone']").TextContent.Trim()));
        Assert.Equal("2", cut.Find("[data-testid='cluster-migrations-gone']").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid='cluster-error-gone']"));
    }

    [Fact]
    public void A_user_limited_to_some_clusters_sees_only_those()
    {
        Authorization.SetClaims(new Claim(ClusterRouting.ClusterClaim, "second"));

        var cut = Render<ClusterOverview>();

        Assert.Equal(["cluster-row-second"], cut.FindAll("tr[data-testid^='cluster-row-']").Select(r => r.GetAttribute("data-testid")));
    }

    [Fact]
    public async Task Leaving_the_page_stops_following_the_clusters()
    {
        var cut = Render<ClusterOverview>();
        cut.WaitForAssertion(() => Assert.Equal(1, Fleet.SubscriberCount));

        await cut.Instance.DisposeAsync();

        await WaitUntilAsync(() => Fleet.SubscriberCount == 0, "the overview to stop following");
    }
}
