using Bunit;
using ValkeyDashboard.Components.Controls;

namespace ValkeyDashboard.Components.Tests;

/// <summary>The app bar's cluster switcher: the current cluster, and a link to each cluster and to the overview.</summary>
public class ClusterSwitcherTests : DashboardTestContext
{
    [Fact]
    public async Task It_shows_the_current_cluster_and_offers_a_link_to_each_cluster_and_the_overview()
    {
        var cut = Render<ClusterSwitcher>(p => p.Add(s => s.Names, ["main", "second", "gone"]).Add(s => s.Current, "second"));

        Assert.Contains("second", cut.Find("[data-testid='cluster-switcher'] button").TextContent, StringComparison.Ordinal);
        await cut.Find("[data-testid='cluster-switcher'] button").ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());

        await Popovers.WaitForAssertionAsync(() => Assert.Equal(4, Popovers.FindAll("[data-testid^='cluster-switch-']").Count));
        var links = Popovers.FindAll("[data-testid^='cluster-switch-']").ToDictionary(e => e.GetAttribute("data-testid")!, e => e.GetAttribute("href") ?? e.QuerySelector("a")?.GetAttribute("href"));
        Assert.Equal("/clusters/main", links["cluster-switch-main"]);
        Assert.Equal("/clusters/gone", links["cluster-switch-gone"]);
        Assert.Equal("/clusters", links["cluster-switch-overview"]);
    }
}
