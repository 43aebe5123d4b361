using Microsoft.Playwright;
using StackExchange.Redis;
using ValkeyDashboard.BrowserTests.Infrastructure;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace ValkeyDashboard.BrowserTests;

/// <summary>Reading the heat map: hover figures, the metric switch and its legend, the log scale, the dark theme.</summary>
[Collection(DashboardBrowserCollection.Name)]
public sealed class HeatMapViewTests(DashboardBrowserFixture fixture) : BrowserTest(fixture)
{
    private const float Deadline = 30_000;

    [Fact]
    public Task Hovering_a_cell_shows_its_slot_owner_and_figures() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        var primaries = await api.PrimariesAsync();
        var owner = primaries.Single(p => SlotRangeSet.Parse(p.Slots).Contains(300));
        await using var valkey = await Fixture.Dashboard.ConnectToClusterAsync();
        var keys = Enumerable.Range(0, 1_000_000).Select(i => (RedisKey)$"hover:{i}").Where(k => valkey.HashSlot(k) == 300).Take(3).ToList();
        await Task.WhenAll(keys.Select(k => valkey.GetDatabase().StringSetAsync(k, "v")));
        try
        {
            var map = new HeatMapPage(Page);
            await map.OpenAsync(primaries.Count, Deadline);
            var tooltip = Page.GetByTestId("heatmap-tooltip");

            // The figures arrive with the next poll after the keys were written.
            await Cluster.Concurrency.Wait.UntilAsync(async _ =>
            {
                var (x, y) = await map.CellCentreAsync(300);
                await Page.Mouse.MoveAsync(x, y);
                return (await tooltip.TextContentAsync())?.Contains("Keys: 3 keys", StringComparison.Ordinal) == true;
            }, TimeSpan.FromSeconds(30), "the tooltip of slot 300 to show its 3 keys", TimeSpan.FromMilliseconds(200));

            await Expect(tooltip).ToContainTextAsync("Slot 300");
            await Expect(tooltip).ToContainTextAsync("row 2, column 44");
            await Expect(tooltip).ToContainTextAsync($"Owner: {owner.Endpoint}");
            await Expect(tooltip).ToContainTextAsync("CPU:");
            await Expect(tooltip).ToContainTextAsync("Network out:");
            await Screenshots.SaveAsync(Page, "heatmap-hover.png", fullPage: false);

            await Page.Mouse.MoveAsync(0, 0);
            await Expect(tooltip).ToBeHiddenAsync();
        }
        finally
        {
            await Task.WhenAll(keys.Select(k => valkey.GetDatabase().KeyDeleteAsync(k)));
        }
    });

    [Fact]
    public Task The_metric_switch_recolours_the_map_with_a_legend_and_a_log_scale_toggle() => ScreenshotOnFailureAsync(async () =>
    {
        var primaries = await Fixture.Dashboard.CreateClient().PrimariesAsync();
        var map = new HeatMapPage(Page);
        await map.OpenAsync(primaries.Count, Deadline);
        var legend = Page.GetByTestId("heatmap-legend");
        foreach (var primary in primaries)
        {
            await Expect(legend).ToContainTextAsync(primary.Endpoint);
        }

        await Page.GetByTestId("metric-select").GetByText("Keys", new() { Exact = true }).ClickAsync();

        await Expect(map.Canvas).ToHaveAttributeAsync("data-metric", "keys");
        await Expect(legend).ToContainTextAsync("Keys (log)");
        await Page.GetByText("Log scale", new() { Exact = true }).ClickAsync();
        await Expect(Page.GetByTestId("log-scale")).ToHaveAttributeAsync("aria-checked", "false");
        await Expect(legend).ToContainTextAsync("Keys (linear)");

        foreach (var (item, metric) in new[] { ("CPU", "cpu"), ("Net in", "network in"), ("Net out", "network out") })
        {
            await Page.GetByTestId("metric-select").GetByText(item, new() { Exact = true }).ClickAsync();
            await Expect(map.Canvas).ToHaveAttributeAsync("data-metric", metric);
        }

        await Screenshots.SaveAsync(Page, "heatmap-network-out.png", fullPage: false);
    });

    [Fact]
    public Task The_theme_toggle_switches_to_dark_and_back() => ScreenshotOnFailureAsync(async () =>
    {
        var primaries = await Fixture.Dashboard.CreateClient().PrimariesAsync();
        var map = new HeatMapPage(Page);
        await map.OpenAsync(primaries.Count, Deadline);
        var background = () => Page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        var light = await background();

        await Page.GetByTestId("theme-toggle").ClickAsync();

        await Cluster.Concurrency.Wait.UntilAsync(async _ => await background() != light, TimeSpan.FromSeconds(10), "the page to turn dark", TimeSpan.FromMilliseconds(100));
        await Screenshots.SaveAsync(Page, "home-dark.png", fullPage: false);
        await Page.GetByTestId("theme-toggle").ClickAsync();
        await Cluster.Concurrency.Wait.UntilAsync(async _ => await background() == light, TimeSpan.FromSeconds(10), "the page to turn light again", TimeSpan.FromMilliseconds(100));
    });
}
