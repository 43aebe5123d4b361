using Microsoft.Playwright;
using StackExchange.Redis;
using ValkeyDashboard.BrowserTests.Infrastructure;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace ValkeyDashboard.BrowserTests;

/// <summary>
/// Looking back on the page: the time slider moved before a real migration shows the slot's old owner on the map (the
/// hover text says so), the migration's mark jumps to the moment before it, Live comes back; a hot slot clicked in
/// the list is selected on the map, ready to move.
/// </summary>
[Collection(DashboardBrowserCollection.Name)]
public sealed class TimeSliderTests(DashboardBrowserFixture fixture) : BrowserTest(fixture)
{
    private const float Deadline = 60_000;
    private static readonly TimeSpan ApiDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public Task The_slider_moved_before_a_migration_shows_the_old_owner_and_Live_the_new() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        var primaries = await api.PrimariesAsync();
        var (source, target) = (primaries[2], primaries[0]);
        var slot = SlotRangeSet.Parse(source.Slots).Last().End;
        var map = new HeatMapPage(Page);
        await map.OpenAsync(primaries.Count, Deadline);
        var slider = Page.GetByTestId("history-slider");
        // The first history point (every 10 s by default) holds the slot at its source.
        await Expect(slider).ToBeEnabledAsync(new() { Timeout = Deadline });

        await TestCleanup.RunAsync(
            async () =>
            {
                var id = await api.MoveSlotsAsync($"{slot}", target.Id, ApiDeadline);
                await HoverOwnerAsync(map, slot, target.Endpoint);
                var mark = Page.GetByTestId($"history-mark-{id}");
                await Expect(mark).ToHaveCountAsync(1, new() { Timeout = Deadline });

                await slider.FillAsync("0");

                await Expect(Page.GetByTestId("history-moment")).ToContainTextAsync("Showing");
                await HoverOwnerAsync(map, slot, source.Endpoint);
                await Expect(Page.GetByTestId($"node-card-{source.Id}")).ToContainTextAsync($"{slot}");

                await Page.GetByTestId("history-live").ClickAsync();
                await Expect(Page.GetByTestId("history-moment")).ToHaveTextAsync("Live");
                await HoverOwnerAsync(map, slot, target.Endpoint);

                await mark.ClickAsync();
                await Expect(Page.GetByTestId("history-moment")).ToContainTextAsync("Showing");
                await HoverOwnerAsync(map, slot, source.Endpoint);
                await Screenshots.SaveAsync(Page, "time-slider.png", fullPage: false);

                await Page.GetByTestId("history-live").ClickAsync();
                await HoverOwnerAsync(map, slot, target.Endpoint);
            },
            async () => await api.MoveSlotsAsync($"{slot}", source.Id, ApiDeadline));
    });

    [Fact]
    public Task Clicking_a_hot_slot_selects_it_on_the_map() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        var primaries = await api.PrimariesAsync();
        await using var valkey = await Fixture.Dashboard.ConnectToClusterAsync();
        const int Slot = 4242;
        var keys = Enumerable.Range(0, 1_000_000).Select(i => (RedisKey)$"hot-slot:{i}").Where(k => valkey.HashSlot(k) == Slot).Take(400).ToArray();
        await Task.WhenAll(keys.Select(k => valkey.GetDatabase().StringSetAsync(k, "v")));
        await TestCleanup.RunAsync(
            async () =>
            {
                var map = new HeatMapPage(Page);
                await map.OpenAsync(primaries.Count, Deadline);
                await Page.GetByTestId("hot-slots-metric").SelectOptionAsync("keys");
                await Page.GetByTestId("hot-slots-window").SelectOptionAsync("latest");
                var row = Page.GetByTestId($"hot-slot-{Slot}");
                // The list reads again every 5 s: the slot is on top once a poll counted its keys.
                await Expect(Page.Locator("tr.hot-slot").First).ToHaveAttributeAsync("data-testid", $"hot-slot-{Slot}", new() { Timeout = Deadline });

                await row.ClickAsync();

                await Expect(map.Canvas).ToHaveAttributeAsync("data-selection", $"{Slot}");
                await Expect(Page.GetByTestId("selection-count")).ToHaveTextAsync("1 slot selected");
                await Expect(Page.GetByTestId("selection-ranges")).ToContainTextAsync($"{Slot}");
            },
            async () => await valkey.GetDatabase().KeyDeleteAsync(keys));
    });

    /// <summary>Hovers the slot's cell until the tooltip names <paramref name="endpoint"/> as its owner.</summary>
    private async Task HoverOwnerAsync(HeatMapPage map, int slot, string endpoint)
    {
        var tooltip = Page.GetByTestId("heatmap-tooltip");
        await Wait.UntilAsync(async _ =>
        {
            var (x, y) = await map.CellCentreAsync(slot);
            await Page.Mouse.MoveAsync(x, y);
            return (await tooltip.TextContentAsync())?.Contains($"Owner: {endpoint}", StringComparison.Ordinal) == true;
        }, ApiDeadline, $"the tooltip of slot {slot} to name {endpoint} as its owner", TimeSpan.FromMilliseconds(200));
    }
}
