using System.Text.Json;
using Microsoft.Playwright;
using ValkeyDashboard.BrowserTests.Infrastructure;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace ValkeyDashboard.BrowserTests;

/// <summary>
/// A 60-node cluster (30 primaries × 1 replica, formed by valkey-cli) on one page: the nodes in a virtualised table
/// (every node reachable by scrolling), narrowed by the filter, a row's primary highlighted on the map, and slots
/// selected on the map dropped on a row move to that primary (checked through the API, and moved back).
/// </summary>
[Collection(LargeClusterBrowserCollection.Name)]
public sealed class LargeClusterTests(LargeClusterBrowserFixture fixture) : BrowserTest(fixture)
{
    private const float Deadline = 60_000;
    private static readonly TimeSpan ApiDeadline = TimeSpan.FromSeconds(60);

    private static async Task<JsonElement[]> NodesAsync(HttpClient api)
    {
        JsonElement[] nodes = [];
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ => (nodes = [.. (await api.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray()]).Length == 2 * LargeClusterBrowserFixture.Primaries
                && nodes.All(n => n.GetProperty("health").GetString() == "online"),
            ApiDeadline, "the dashboard to see all 60 nodes online", TimeSpan.FromMilliseconds(100));
        return nodes;
    }

    private async Task OpenAsync()
    {
        await Page.GotoAsync("/");
        await Expect(Page.GetByTestId("node-table")).ToBeVisibleAsync(new() { Timeout = Deadline });
        await Page.WaitForFunctionAsync("() => performance.getEntriesByName('heatmap-frame').length > 0 && performance.getEntriesByName('heatmap-draw').length > 0",
            null, new() { Timeout = Deadline });
        // The doctor's last check may be from while the replicas were joining ("primary without replica"): checked again
        // now, its panel above the table settles before the test measures where rows are (and the picture shows no
        // missing replica).
        await Page.GetByTestId("doctor-check").ClickAsync();
        await Expect(Page.GetByTestId("doctor-panel").GetByText("primary-without-replica")).ToHaveCountAsync(0, new() { Timeout = Deadline });
        await Expect(Page.GetByTestId("doctor-panel").GetByText("replica-on-same-host").First).ToBeVisibleAsync(new() { Timeout = Deadline });
    }

    [Fact]
    public Task Every_node_is_in_the_table_the_filter_narrows_it_and_a_row_highlights_its_primary_on_the_map() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        var nodes = await NodesAsync(api);
        await OpenAsync();

        // Virtualised: only the rows on screen exist; scrolling the table brings every one of them.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var container = Page.GetByTestId("node-table").Locator(".mud-table-container");
        try
        {
            await Cluster.Concurrency.Wait.UntilAsync(
                async _ =>
                {
                    foreach (var id in await Page.Locator("[data-testid='node-table'] [data-testid^='node-row-']").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.testid)"))
                    {
                        seen.Add(id["node-row-".Length..]);
                    }

                    // Half a screen further each time (from the top again after the bottom), until every node was on screen.
                    await container.EvaluateAsync("c => c.scrollTop + c.clientHeight >= c.scrollHeight - 2 ? c.scrollTo(0, 0) : c.scrollBy(0, c.clientHeight / 2)");
                    return nodes.All(n => seen.Contains(n.GetProperty("id").GetString()!));
                },
                ApiDeadline, "every node to appear in the table while it scrolls", TimeSpan.FromMilliseconds(200));
        }
        catch (TimeoutException)
        {
            var missing = nodes.Where(n => !seen.Contains(n.GetProperty("id").GetString()!)).Select(n => $"{n.GetProperty("endpoint").GetString()} ({n.GetProperty("role").GetString()})");
            Assert.Fail($"the table did not show every node; missing: {string.Join(", ", missing)}");
        }

        Assert.Equal(nodes.Select(n => n.GetProperty("id").GetString()!).Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        Assert.True(await Page.Locator("[data-testid='node-table'] td[data-testid^='node-row-']").CountAsync() < LargeClusterBrowserFixture.Primaries,
            "the table renders only the rows on screen");
        await Expect(Page.Locator("[data-testid^='node-card-']")).ToHaveCountAsync(0);

        // The filter: a replica's endpoint finds its primary's row.
        var replica = nodes.First(n => n.GetProperty("role").GetString() == "replica");
        var primaryId = replica.GetProperty("primaryId").GetString()!;
        await Page.GetByTestId("node-filter").FillAsync(replica.GetProperty("endpoint").GetString()!);
        var rows = Page.Locator("[data-testid='node-table'] td[data-testid^='node-row-']");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(Page.GetByTestId($"node-row-{primaryId}")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("node-table-count")).ToHaveTextAsync($"1 of {LargeClusterBrowserFixture.Primaries} primaries");

        // The pointer on a row highlights that primary's slots on the map (the others dimmed); off it, none.
        var map = new HeatMapPage(Page);
        await Page.GetByTestId($"node-row-{primaryId}").HoverAsync();
        await Expect(map.Canvas).ToHaveAttributeAsync("data-highlight", primaryId);
        await Page.Mouse.MoveAsync(1, 1);
        await Expect(map.Canvas).ToHaveAttributeAsync("data-highlight", string.Empty);

        await Page.GetByTestId("node-filter").FillAsync(string.Empty);
        await Expect(Page.GetByTestId("node-table-count")).ToHaveTextAsync($"{LargeClusterBrowserFixture.Primaries} of {LargeClusterBrowserFixture.Primaries} primaries");
        // The legend of 30 owners is searchable.
        await Page.GetByTestId("legend-search").FillAsync(replica.GetProperty("endpoint").GetString()![..^1]);
        await Expect(Page.GetByTestId("legend-owners").Locator(".legend-item")).Not.ToHaveCountAsync(LargeClusterBrowserFixture.Primaries);
        await Page.GetByTestId("legend-search").FillAsync(string.Empty);
        await Expect(Page.GetByTestId("legend-owners").Locator(".legend-item")).ToHaveCountAsync(LargeClusterBrowserFixture.Primaries);
        // The README's picture: the table beside the sticky map, the pointer on a row highlighting its primary's slots.
        // A laptop's full-HD screen, on which the whole map fits beside the table.
        await Page.SetViewportSizeAsync(1600, 1000);
        await Page.GetByTestId("node-table").ScrollIntoViewIfNeededAsync();
        await Page.GetByTestId($"node-row-{primaryId}").HoverAsync();
        await Expect(map.Canvas).ToHaveAttributeAsync("data-highlight", primaryId);
        await Screenshots.SaveAsync(Page, "large-cluster.png", fullPage: false);
    });

    [Fact]
    public Task Slots_selected_on_the_map_and_dropped_on_a_row_move_to_that_rows_primary() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        await NodesAsync(api);
        var primaries = await api.PrimariesAsync();
        var source = primaries.Single(p => SlotRangeSet.Parse(p.Slots).Contains(0));
        // A primary far down the endpoint order: its row is found by filtering, not on the first screen.
        var target = primaries.Where(p => p.Id != source.Id).OrderBy(p => p.Endpoint, StringComparer.Ordinal).Last();
        await OpenAsync();
        var map = new HeatMapPage(Page);
        Exception? failure = null;
        try
        {
            await map.DragSelectAsync(0, 9);
            await Expect(map.Canvas).ToHaveAttributeAsync("data-selection", "0-9");
            await Page.GetByTestId("node-filter").FillAsync(target.Endpoint);
            var row = Page.GetByTestId($"node-row-{target.Id}");
            await Expect(row).ToBeVisibleAsync();
            // The row on screen; the map stays in view beside it.
            await Page.GetByTestId("node-table").ScrollIntoViewIfNeededAsync();

            var from = await map.CellCentreAsync(5);
            var box = await row.BoundingBoxAsync() ?? throw new InvalidOperationException("the target row is not visible");
            await Page.Mouse.MoveAsync(from.X, from.Y);
            await Page.Mouse.DownAsync();
            await Page.Mouse.MoveAsync(from.X + 10, from.Y + 10, new() { Steps = 3 });
            await Page.Mouse.MoveAsync(box.X + box.Width / 2, box.Y + box.Height / 2, new() { Steps = 15 });
            await Page.Mouse.UpAsync();

            await Expect(Page.GetByTestId($"preflight-job-{source.Id}")).ToContainTextAsync("0-9");
            await Page.GetByTestId("confirm-migration").ClickAsync();

            await Cluster.Concurrency.Wait.UntilAsync(
                async _ => SlotRangeSet.Parse((await api.PrimariesAsync()).Single(p => p.Id == target.Id).Slots).Intersect(SlotRangeSet.Parse("0-9")).SlotCount == 10,
                ApiDeadline, $"/api/cluster to show slots 0-9 on {target.Endpoint}", TimeSpan.FromMilliseconds(100));
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            await TestCleanup.FinallyAsync(failure, () => api.MoveSlotsAsync("0-9", source.Id, ApiDeadline));
        }
    });
}
