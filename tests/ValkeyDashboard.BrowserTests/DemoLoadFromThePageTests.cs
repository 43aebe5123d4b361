using ValkeyDashboard.BrowserTests.Infrastructure;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace ValkeyDashboard.BrowserTests;

/// <summary>An operator starts the demo load from the page, sees it run, and stops it; its keys are deleted whatever happens.</summary>
[Collection(DashboardBrowserCollection.Name)]
public sealed class DemoLoadFromThePageTests(DashboardBrowserFixture fixture) : BrowserTest(fixture)
{
    private const float Deadline = 30_000;

    [Fact]
    public Task Starting_the_demo_load_from_the_page_shows_it_running_and_stop_ends_it() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        var primaries = await api.PrimariesAsync();
        await new HeatMapPage(Page).OpenAsync(primaries.Count, Deadline);

        await TestCleanup.RunAsync(
            async () =>
            {
                var panel = Page.GetByTestId("load-panel");
                await panel.GetByTestId("load-skew").SelectOptionAsync("hot-slots");
                await panel.GetByTestId("load-rate").FillAsync("300");
                await panel.GetByTestId("load-duration").FillAsync("60");
                await panel.GetByTestId("load-start").ClickAsync();

                var state = panel.GetByTestId("load-state");
                await Expect(state).ToHaveAttributeAsync("data-running", "true", new() { Timeout = Deadline });
                await Expect(state).ToContainTextAsync("Running: hot-slots, 300 ops/s", new() { Timeout = Deadline });
                // The state moves on as the load runs (published about once a second).
                await Expect(state).Not.ToContainTextAsync(" · 0 ops,", new() { Timeout = Deadline });
                Assert.True((await api.GetJsonAsync("/api/load")).GetProperty("running").GetBoolean());

                await panel.GetByTestId("load-stop").ClickAsync();

                await Expect(state).ToHaveAttributeAsync("data-running", "false", new() { Timeout = Deadline });
                await Expect(state).ToContainTextAsync("the last load stopped by", new() { Timeout = Deadline });
                Assert.False((await api.GetJsonAsync("/api/load")).GetProperty("running").GetBoolean());
            },
            cleanup: async () =>
            {
                using (await api.DeleteAsync(new Uri("/api/load", UriKind.Relative)))
                {
                }

                await DeleteDemoKeysAsync();
            });
    });

    private async Task DeleteDemoKeysAsync()
    {
        await using var client = await Fixture.Dashboard.ConnectToClusterAsync();
        var database = client.GetDatabase();
        foreach (var server in client.GetServers().Where(s => !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(pattern: Cluster.Load.DemoLoadKeys.Prefix + "*"))
            {
                await database.KeyDeleteAsync(key);
            }
        }
    }
}
