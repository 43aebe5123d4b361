using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ValkeyDashboard.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace ValkeyDashboard.BrowserTests;

/// <summary>The dashboard's home page in a real browser, over its embedded 3-primary cluster.</summary>
[Collection(DashboardBrowserCollection.Name)]
public sealed class DashboardPageTests(DashboardBrowserFixture fixture) : BrowserTest(fixture)
{
    // The first visit pays for the circuit and the first snapshot; both come in well under this.
    private const float Deadline = 30_000;

    [Fact]
    public Task Home_page_shows_one_card_per_primary() => ScreenshotOnFailureAsync(async () =>
    {
        await Page.GotoAsync("/");

        await Expect(Page.Locator("[data-testid^=\"node-card-\"]")).ToHaveCountAsync(3, new() { Timeout = Deadline });
        await Expect(Page).ToHaveTitleAsync(new Regex("Valkey Dashboard"));
        await Screenshots.SaveAsync(Page, "home.png");
    });

    [Fact]
    public async Task Cluster_api_lists_three_primaries_of_the_embedded_cluster()
    {
        var response = await Page.APIRequest.GetAsync("/api/cluster");

        Assert.True(response.Ok, $"GET /api/cluster answered {response.Status}");
        var cluster = (await response.JsonAsync())!.Value;
        var primaries = cluster.GetProperty("nodes").EnumerateArray()
            .Where(n => n.GetProperty("role").GetString() == "primary")
            .Select(n => n.GetProperty("endpoint").GetString()!)
            .ToList();
        Assert.Equal(3, primaries.Count);
        var clusterPorts = Enumerable.Range(Fixture.ClusterBasePort, 6).Select(p => $"127.0.0.1:{p}");
        Assert.All(primaries, endpoint => Assert.Contains(endpoint, clusterPorts));
        Assert.Equal(16384, cluster.GetProperty("slotsAssigned").GetInt32());
    }
}
