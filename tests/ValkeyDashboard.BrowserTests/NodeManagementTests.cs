using Microsoft.Playwright;
using ValkeyDashboard.BrowserTests.Infrastructure;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace ValkeyDashboard.BrowserTests;

/// <summary>An operator stops and starts a node from its card; the cluster and the audit log show it.</summary>
[Collection(DashboardBrowserCollection.Name)]
public sealed class NodeManagementTests(DashboardBrowserFixture fixture) : BrowserTest(fixture)
{
    private const float Deadline = 60_000;

    [Fact]
    public Task A_replica_stopped_and_started_from_its_card_goes_failed_and_back_online_and_is_audited() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        var primaries = await api.PrimariesAsync();
        var cluster = await api.GetJsonAsync("/api/cluster");
        var replica = cluster.GetProperty("nodes").EnumerateArray().First(n => n.GetProperty("role").GetString() == "replica");
        var id = replica.GetProperty("id").GetString()!;
        var map = new HeatMapPage(Page);
        await map.OpenAsync(primaries.Count, Deadline);
        var row = Page.GetByTestId($"node-row-{id}");
        Exception? failure = null;
        try
        {
            await Page.GetByTestId($"node-stop-{id}").ClickAsync();
            await Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Stop", Exact = true }).ClickAsync();

            await Expect(row.GetByTestId("health")).ToHaveTextAsync("failed", new() { Timeout = Deadline });
            await Screenshots.SaveAsync(Page, "node-stopped.png", fullPage: false);
            await Page.GetByTestId($"node-start-{id}").ClickAsync();
            await Expect(row.GetByTestId("health")).ToHaveTextAsync("online", new() { Timeout = Deadline });

            // This test's entries: the ones about its replica (the audit log is shared with every other test).
            var audit = (await api.GetJsonAsync("/api/audit?pageSize=200")).GetProperty("items").EnumerateArray()
                .Where(e => e.GetProperty("subject").GetString() == id)
                .Select(e => $"{e.GetProperty("actor").GetString()} {e.GetProperty("action").GetString()} {e.GetProperty("outcome").GetString()}").ToList();
            Assert.Equal("ui node.start accepted", audit[0]);
            Assert.Equal("ui node.stop accepted", audit[1]);
            await Expect(Page.GetByTestId("audit-trail")).ToContainTextAsync("node.start");
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            // Whatever happened, the replica runs again for the next test.
            await TestCleanup.FinallyAsync(failure, async () =>
            {
                using var start = await api.PostAsync(new Uri($"/api/nodes/{id}/start", UriKind.Relative), null);
                await Cluster.Concurrency.Wait.UntilAsync(
                    async _ => (await api.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray()
                        .Single(n => n.GetProperty("id").GetString() == id).GetProperty("health").GetString() == "online",
                    TimeSpan.FromSeconds(60), $"replica {id} to be online again", TimeSpan.FromMilliseconds(100));
            });
        }
    });
}
