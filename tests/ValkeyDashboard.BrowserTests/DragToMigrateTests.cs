using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using StackExchange.Redis;
using ValkeyDashboard.BrowserTests.Infrastructure;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace ValkeyDashboard.BrowserTests;

/// <summary>
/// Moving slots the way an operator does it: select on the heat map or pick up a range chip, drop on another
/// primary's card, confirm the preflight, watch the progress; a second browser sees the same at the same time.
/// Every move is checked against the real cluster (API, valkey-cli, the keys themselves) and undone afterwards.
/// </summary>
[Collection(DashboardBrowserCollection.Name)]
public sealed partial class DragToMigrateTests(DashboardBrowserFixture fixture) : BrowserTest(fixture)
{
    private const float Deadline = 60_000;
    private static readonly TimeSpan ApiDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public Task Dragging_slots_0_to_99_onto_another_primary_moves_them_and_a_second_browser_sees_it_live() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        var primaries = await api.PrimariesAsync();
        var source = primaries.Single(p => SlotRangeSet.Parse(p.Slots).Contains(0));
        var target = primaries.First(p => p.Id != source.Id);
        await using var valkey = await Fixture.Dashboard.ConnectToClusterAsync();
        var keys = await SeedAsync(valkey, SlotRangeSet.Parse("0-99"), 2_000);
        var map = new HeatMapPage(Page);
        var other = await (await NewContextAsync()).NewPageAsync();
        var otherMap = new HeatMapPage(other);
        await map.OpenAsync(primaries.Count, Deadline);
        await otherMap.OpenAsync(primaries.Count, Deadline);

        Exception? failure = null;
        var id = string.Empty;
        try
        {
            await using (await MigrationHold.OnAsync(valkey.GetServer(source.Endpoint)))
            {
                await map.DragSelectAsync(0, 99);

                await Expect(map.Canvas).ToHaveAttributeAsync("data-selection", "0-99");
                await Expect(Page.GetByTestId("selection-count")).ToHaveTextAsync("100 slots selected");
                await Expect(Page.GetByTestId("selection-keys")).ToContainTextAsync("2,000");

                await map.DropSelectionOnAsync(50, target.Id);

                await Expect(Page.GetByTestId($"preflight-job-{source.Id}")).ToContainTextAsync("0-99");
                await Expect(Page.GetByTestId("preflight-keys")).ToHaveTextAsync("2,000");
                // Every node runs Valkey 9: the automatic choice is the atomic engine, and the dialog says so.
                await Expect(Page.GetByTestId("preflight-engine")).ToContainTextAsync("Engine: atomic.");
                await Expect(Page.GetByTestId("preflight-client-effect")).ToHaveCountAsync(0);
                await Screenshots.SaveAsync(Page, "preflight.png");
                var before = MigrationIds();
                await Page.GetByTestId("confirm-migration").ClickAsync();

                id = await NewMigrationIdAsync(before);
                var progress = Page.GetByTestId($"migration-progress-{id}");
                await Expect(progress).ToBeVisibleAsync(new() { Timeout = Deadline });
                // Held before its final pause, the migration has copied keys but not yet handed the slots over.
                await Expect(progress).ToHaveAttributeAsync("data-progress", NonZero(), new() { Timeout = Deadline });
                foreach (var (page, pageMap) in new[] { (Page, map), (other, otherMap) })
                {
                    await Expect(page.GetByTestId($"migration-{id}")).ToHaveAttributeAsync("data-state", "running", new() { Timeout = Deadline });
                    await Expect(pageMap.Canvas).ToHaveAttributeAsync("data-moving", "0-99", new() { Timeout = Deadline });
                }

                await Expect(Page.GetByTestId($"cancel-migration-{id}")).ToBeEnabledAsync();
                await Page.Mouse.MoveAsync(0, 0);
                // What a 1366×768 screen shows (the README's picture): from the top, without the start notice.
                await Page.EvaluateAsync("() => window.scrollTo(0, 0)");
                await Page.Locator(".mud-snackbar").Locator("button").ClickAsync();
                await Expect(Page.Locator(".mud-snackbar")).ToHaveCountAsync(0);
                await Screenshots.SaveAsync(Page, "migration-in-progress.png", fullPage: false);
                await Screenshots.SaveAsync(other, "migration-in-progress-second-browser.png");
            }

            foreach (var (page, pageMap) in new[] { (Page, map), (other, otherMap) })
            {
                await Expect(page.GetByTestId($"migration-{id}")).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = Deadline });
                await Expect(page.GetByTestId($"migration-history-{id}")).ToContainTextAsync("succeeded");
                await Expect(pageMap.Card(target.Id).GetByTestId("slot-range-chip-0-99")).ToBeVisibleAsync(new() { Timeout = Deadline });
                await Expect(pageMap.Canvas).ToHaveAttributeAsync("data-moving", string.Empty, new() { Timeout = Deadline });
                await Expect(pageMap.Card(source.Id).GetByTestId("slot-range-chip-0-99")).ToHaveCountAsync(0);
            }

            // The cells took the new owner's colour, in the second browser too, which never reloaded.
            var targetColour = await OwnerColourAsync(other, target.Id);
            var drawn = string.Empty;
            await Cluster.Concurrency.Wait.UntilAsync(async _ => (drawn = await PixelAsync(otherMap, 50)) == targetColour, ApiDeadline,
                $"slot 50 to be drawn in {target.Endpoint}'s colour {targetColour} (last drawn: {drawn})", TimeSpan.FromMilliseconds(100));
            await Screenshots.SaveAsync(Page, "migration-succeeded.png");

            var owner = (await api.PrimariesAsync()).Single(p => p.Id == target.Id);
            Assert.True(SlotRangeSet.Parse(owner.Slots).Intersect(SlotRangeSet.Parse("0-99")).SlotCount == 100, $"/api/cluster: {owner.Endpoint} owns {owner.Slots}");
            var myself = MyselfLineOf(await ValkeyCliAsync(target.Endpoint, "CLUSTER", "NODES"));
            Assert.True(SlotRangeSet.Parse("0-99").Except(SlotsOf(myself)).IsEmpty, $"valkey-cli CLUSTER NODES on {target.Endpoint}: {myself}");
            var values = await Task.WhenAll(keys.Select(k => valkey.GetDatabase().StringGetAsync(k)));
            Assert.All(values, v => Assert.Equal("v", v.ToString()));
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            // Put the layout back for the next test; when the test already failed, a failing clean-up comes with its failure.
            await TestCleanup.FinallyAsync(failure, async () =>
            {
                await api.MoveSlotsAsync("0-99", source.Id, ApiDeadline);
                await Task.WhenAll(keys.Select(k => valkey.GetDatabase().KeyDeleteAsync(k)));
            });
        }
    });

    [Fact]
    public Task Cancel_stops_a_running_migration_with_Valkeys_message_and_the_source_keeps_every_key() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        var primaries = await api.PrimariesAsync();
        var source = primaries.Single(p => SlotRangeSet.Parse(p.Slots).Contains(200));
        var target = primaries.First(p => p.Id != source.Id);
        await using var valkey = await Fixture.Dashboard.ConnectToClusterAsync();
        var keys = await SeedAsync(valkey, SlotRangeSet.Parse("200-299"), 500);
        var map = new HeatMapPage(Page);
        await map.OpenAsync(primaries.Count, Deadline);
        Exception? failure = null;
        try
        {
            string id;
            await using (await MigrationHold.OnAsync(valkey.GetServer(source.Endpoint)))
            {
                await map.DragSelectAsync(200, 299);
                await map.DropSelectionOnAsync(250, target.Id);
                var before = MigrationIds();
                await Page.GetByTestId("confirm-migration").ClickAsync();
                id = await NewMigrationIdAsync(before);
                await Expect(Page.GetByTestId($"migration-{id}")).ToHaveAttributeAsync("data-state", "running", new() { Timeout = Deadline });

                await Page.GetByTestId($"cancel-migration-{id}").ClickAsync();

                await Expect(Page.GetByTestId($"migration-{id}")).ToHaveAttributeAsync("data-state", "cancelled", new() { Timeout = Deadline });
            }

            await Expect(Page.GetByTestId($"migration-error-{id}")).ToContainTextAsync("cancelled by ui");
            await Expect(Page.GetByTestId($"migration-history-{id}")).ToContainTextAsync("cancelled");
            await Expect(map.Canvas).ToHaveAttributeAsync("data-moving", string.Empty, new() { Timeout = Deadline });
            await Screenshots.SaveAsync(Page, "migration-cancelled.png");
            var owner = (await api.PrimariesAsync()).Single(p => p.Id == source.Id);
            Assert.True(SlotRangeSet.Parse(owner.Slots).Intersect(SlotRangeSet.Parse("200-299")).SlotCount == 100, $"/api/cluster: {owner.Endpoint} owns {owner.Slots}");
            var values = await Task.WhenAll(keys.Select(k => valkey.GetDatabase().StringGetAsync(k)));
            Assert.All(values, v => Assert.Equal("v", v.ToString()));
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            await TestCleanup.FinallyAsync(failure, async () =>
            {
                await api.MoveSlotsAsync("200-299", source.Id, ApiDeadline);
                await Task.WhenAll(keys.Select(k => valkey.GetDatabase().KeyDeleteAsync(k)));
            });
        }
    });

    [Fact]
    public Task Dragging_a_range_chip_onto_another_card_moves_that_range() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        var primaries = await api.PrimariesAsync();
        var source = primaries.Single(p => SlotRangeSet.Parse(p.Slots).Contains(100));
        var holder = primaries.First(p => p.Id != source.Id);
        // A small range of its own on another primary, so there is a chip to drag back.
        await api.MoveSlotsAsync("100-149", holder.Id, ApiDeadline);
        var map = new HeatMapPage(Page);
        await map.OpenAsync(primaries.Count, Deadline);
        Exception? failure = null;
        try
        {
            await Expect(map.Card(holder.Id).GetByTestId("slot-range-chip-100-149")).ToBeVisibleAsync(new() { Timeout = Deadline });

            await map.DragChipAsync(100, 149, source.Id);

            await Expect(Page.GetByTestId($"preflight-job-{holder.Id}")).ToContainTextAsync("100-149");
            var before = MigrationIds();
            await Page.GetByTestId("confirm-migration").ClickAsync();
            var id = await NewMigrationIdAsync(before);
            await Expect(Page.GetByTestId($"migration-{id}")).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = Deadline });
            await Expect(map.Card(holder.Id).GetByTestId("slot-range-chip-100-149")).ToHaveCountAsync(0, new() { Timeout = Deadline });
            var owner = (await api.PrimariesAsync()).Single(p => p.Id == source.Id);
            Assert.True(SlotRangeSet.Parse(owner.Slots).Intersect(SlotRangeSet.Parse("100-149")).SlotCount == 50, $"/api/cluster: {owner.Endpoint} owns {owner.Slots}");
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            await TestCleanup.FinallyAsync(failure, () => api.MoveSlotsAsync("100-149", source.Id, ApiDeadline));
        }
    });

    [Fact]
    public Task A_keyboard_user_selects_a_range_and_opens_the_move_dialog_with_Enter() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        var primaries = await api.PrimariesAsync();
        var source = primaries.Single(p => SlotRangeSet.Parse(p.Slots).Contains(0));
        var target = primaries.First(p => p.Id != source.Id);
        var map = new HeatMapPage(Page);
        await map.OpenAsync(primaries.Count, Deadline);

        await map.Canvas.FocusAsync();
        await Page.Keyboard.PressAsync(" ");
        for (var i = 0; i < 9; i++)
        {
            await Page.Keyboard.PressAsync("Shift+ArrowRight");
        }

        await Page.Keyboard.PressAsync("Shift+ArrowDown");

        await Expect(map.Canvas).ToHaveAttributeAsync("data-selection", "0-137");
        await Expect(Page.GetByTestId("selection-count")).ToHaveTextAsync("138 slots selected");

        // Without a chosen node Enter says what is missing; with one it opens the preflight for it.
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.GetByText("Choose the node to move the selection to")).ToBeVisibleAsync();
        await Page.GetByTestId("selection-target").ClickAsync();
        await Page.GetByRole(AriaRole.Option, new() { Name = target.Endpoint, Exact = true }).ClickAsync();
        await Expect(Page.GetByTestId("move-selection")).ToBeEnabledAsync();
        await map.Canvas.FocusAsync();
        await Page.Keyboard.PressAsync("Enter");

        await Expect(Page.GetByTestId($"preflight-job-{source.Id}")).ToContainTextAsync("0-137");
        await Expect(Page.GetByTestId("preflight-engine")).ToContainTextAsync("Engine: atomic.");
        await Expect(Page.GetByTestId("confirm-migration")).ToBeEnabledAsync();
        await Page.GetByTestId("cancel-preflight").ClickAsync();
        await Expect(Page.GetByTestId("confirm-migration")).ToHaveCountAsync(0);
        Assert.True(SlotRangeSet.Parse((await api.PrimariesAsync()).Single(p => p.Id == source.Id).Slots).Contains(0), "cancelling the dialog moved nothing");
    });

    private static Regex NonZero() => NonZeroPattern();

    private HashSet<string> MigrationIds() =>
        [.. Fixture.Services.GetRequiredService<ISlotMigrations>().List(1, 1_000).Items.Select(m => m.Id)];

    /// <summary>The id of the migration the page just started (the one that was not there before).</summary>
    private async Task<string> NewMigrationIdAsync(HashSet<string> before)
    {
        string? id = null;
        await Cluster.Concurrency.Wait.UntilAsync(_ => Task.FromResult((id = MigrationIds().FirstOrDefault(i => !before.Contains(i))) is not null),
            ApiDeadline, "the page to start a migration", TimeSpan.FromMilliseconds(50));
        return id!;
    }

    [GeneratedRegex("^[1-9][0-9]*$")]
    private static partial Regex NonZeroPattern();

    /// <summary><paramref name="count"/> keys in <paramref name="slots"/>, each with the value "v".</summary>
    private static async Task<List<RedisKey>> SeedAsync(ConnectionMultiplexer valkey, SlotRangeSet slots, int count)
    {
        var keys = Enumerable.Range(0, 5_000_000).Select(i => $"browser:{i}").Where(k => slots.Contains(valkey.HashSlot(k))).Take(count).Select(k => (RedisKey)k).ToList();
        await Task.WhenAll(keys.Select(k => valkey.GetDatabase().StringSetAsync(k, "v")));
        return keys;
    }

    /// <summary>The owner colour the page gives a primary (its card's top border), as "r,g,b".</summary>
    private static async Task<string> OwnerColourAsync(IPage page, string nodeId) =>
        await page.GetByTestId($"node-card-{nodeId}").EvaluateAsync<string>(
            "card => getComputedStyle(card).borderTopColor.replace(/[^0-9,]/g, '')");

    /// <summary>The colour drawn at the middle of a slot's cell, as "r,g,b".</summary>
    private static async Task<string> PixelAsync(HeatMapPage map, int slot) =>
        await map.Canvas.EvaluateAsync<string>(
            """
            (canvas, slot) => {
                const cell = canvas.width / 128;
                const [r, g, b] = canvas.getContext('2d').getImageData(Math.floor((slot % 128 + 0.5) * cell), Math.floor((Math.floor(slot / 128) + 0.5) * cell), 1, 1).data;
                return `${r},${g},${b}`;
            }
            """, slot);

    private static string MyselfLineOf(string clusterNodes) =>
        clusterNodes.Split('\n').Single(l => l.Contains("myself", StringComparison.Ordinal));

    /// <summary>The slots a CLUSTER NODES line says the node serves (fields 9 on; open legacy migrations, "[…]", left out).</summary>
    private static SlotRangeSet SlotsOf(string clusterNodesLine) =>
        SlotRangeSet.Parse(string.Join(',', clusterNodesLine.Trim().Split(' ').Skip(8).Where(f => !f.StartsWith('['))));

    /// <summary>Runs valkey-cli (the one the dashboard found) against a node and returns what it printed.</summary>
    private async Task<string> ValkeyCliAsync(string endpoint, params string[] command)
    {
        var cli = Fixture.Services.GetRequiredService<LocalClusterHost>().Installation!.CliPath;
        var (host, port) = (endpoint[..endpoint.LastIndexOf(':')], endpoint[(endpoint.LastIndexOf(':') + 1)..]);
        var start = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        // The embedded cluster requires its password; the environment keeps it off the command line.
        start.Environment["VALKEYCLI_AUTH"] = Fixture.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Cluster.Configuration.ValkeyOptions>>().Value.Password;
        foreach (var argument in new[] { "-h", host, "-p", port }.Concat(command))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(process.ExitCode == 0, $"valkey-cli {string.Join(' ', command)} exited with {process.ExitCode.ToString(CultureInfo.InvariantCulture)}: {await process.StandardError.ReadToEndAsync()}");
        return output;
    }
}
