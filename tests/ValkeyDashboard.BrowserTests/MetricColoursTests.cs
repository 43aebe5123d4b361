using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using StackExchange.Redis;
using ValkeyDashboard.BrowserTests.Infrastructure;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace ValkeyDashboard.BrowserTests;

/// <summary>
/// What the metric switch draws, read from the canvas's pixels: with keys loaded, a slot with many keys and one with
/// few get the colours the legend's ramp gives their figures (log and linear), an empty slot the legend's colour of
/// zero, and back on the owner view every slot its owner's colour again.
/// </summary>
[Collection(DashboardBrowserCollection.Name)]
public sealed partial class MetricColoursTests(DashboardBrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    private const float Deadline = 30_000;
    private static readonly TimeSpan DrawDeadline = TimeSpan.FromSeconds(30);

    // Three neighbours in the middle of the map, away from the slots the other tests use.
    private const int Many = 9000;
    private const int Few = 9001;
    private const int None = 9002;
    private const int ManyKeys = 300;
    private const int FewKeys = 3;

    [Fact]
    public Task Keys_are_drawn_in_the_legends_ramp_colour_of_their_figure_log_and_linear_and_owners_again_after() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        var primaries = await api.PrimariesAsync();
        var owner = primaries.Single(p => Cluster.Model.SlotRangeSet.Parse(p.Slots).Contains(Many));
        await using var valkey = await Fixture.Dashboard.ConnectToClusterAsync();
        var server = valkey.GetServer(owner.Endpoint);
        foreach (var slot in new[] { Many, Few, None })
        {
            Assert.True((long)await server.ExecuteAsync("CLUSTER", "COUNTKEYSINSLOT", slot) == 0, $"slot {slot} must start empty");
        }

        var keys = KeysIn(valkey, Many, ManyKeys).Concat(KeysIn(valkey, Few, FewKeys)).ToList();
        Exception? failure = null;
        try
        {
            await Task.WhenAll(keys.Select(k => valkey.GetDatabase().StringSetAsync(k, "v")));
            var map = new HeatMapPage(Page);
            await map.OpenAsync(primaries.Count, Deadline);
            var ownerColour = Rgb.Parse(await map.Card(owner.Id).EvaluateAsync<string>("card => getComputedStyle(card).borderTopColor"));
            await UntilDrawnAsync(map, Many, () => Task.FromResult(ownerColour), "its owner's colour");

            await Page.GetByTestId("metric-select").GetByText("Keys", new() { Exact = true }).ClickAsync();

            await Expect(map.Canvas).ToHaveAttributeAsync("data-metric", "keys");
            await UntilDrawnAsync(map, Many, () => RampColourAsync(map, ManyKeys, logScale: true), $"the log ramp's colour of {ManyKeys} keys");
            await UntilDrawnAsync(map, Few, () => RampColourAsync(map, FewKeys, logScale: true), $"the log ramp's colour of {FewKeys} keys");
            await UntilDrawnAsync(map, None, () => map.LegendSwatchAsync("legend-zero"), "the legend's colour of 0");
            Assert.True((await map.PixelAsync(Many)).DistanceTo(await map.PixelAsync(Few)) > 30, "many and few keys look different");
            await Screenshots.SaveAsync(Page, "heatmap-keys-log.png", fullPage: false);

            await Page.GetByText("Log scale", new() { Exact = true }).ClickAsync();

            await Expect(Page.GetByTestId("heatmap-legend")).ToContainTextAsync("Keys (linear)");
            await UntilDrawnAsync(map, Many, () => RampColourAsync(map, ManyKeys, logScale: false), $"the linear ramp's colour of {ManyKeys} keys");
            await UntilDrawnAsync(map, Few, () => RampColourAsync(map, FewKeys, logScale: false), $"the linear ramp's colour of {FewKeys} keys");

            await Page.GetByTestId("metric-select").GetByText("Owner", new() { Exact = true }).ClickAsync();

            foreach (var slot in new[] { Many, Few, None })
            {
                await UntilDrawnAsync(map, slot, () => Task.FromResult(ownerColour), "its owner's colour again");
            }
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            try
            {
                await Task.WhenAll(keys.Select(k => valkey.GetDatabase().KeyDeleteAsync(k)));
            }
            catch (Exception cleanup) when (failure is not null)
            {
                output.WriteLine($"Deleting the test's keys failed as well (the test's own failure is reported): {cleanup}");
            }
        }
    });

    private static IEnumerable<RedisKey> KeysIn(ConnectionMultiplexer valkey, int slot, int count) =>
        Enumerable.Range(0, 10_000_000).Select(i => (RedisKey)$"colours:{i}").Where(k => valkey.HashSlot(k) == slot).Take(count);

    /// <summary>
    /// The colour the legend says <paramref name="keys"/> get: the figure quantised to a byte against the legend's scale
    /// (0 is zero, 255 the scale, logarithmic steps: the documented quantiser, computed here), placed on the legend's
    /// own gradient (its stops as the page styles them) by the byte on the log scale or by the figure it stands for on
    /// the linear one.
    /// </summary>
    private static async Task<Rgb> RampColourAsync(HeatMapPage map, int keys, bool logScale)
    {
        var (scale, stops) = await map.LegendRampAsync();
        var level = Math.Clamp(Math.Round(255 * Math.Log(1 + keys) / Math.Log(1 + scale)), 1, 255);
        var t = logScale ? level / 255 : (Math.Exp(level / 255 * Math.Log(1 + scale)) - 1) / scale;
        var position = Math.Clamp(t, 0, 1) * (stops.Count - 1);
        var i = Math.Min(stops.Count - 2, (int)Math.Floor(position));
        var f = position - i;
        int Mix(int a, int b) => (int)Math.Round(a + ((b - a) * f), MidpointRounding.AwayFromZero);
        return new Rgb(Mix(stops[i].R, stops[i + 1].R), Mix(stops[i].G, stops[i + 1].G), Mix(stops[i].B, stops[i + 1].B));
    }

    private static async Task UntilDrawnAsync(HeatMapPage map, int slot, Func<Task<Rgb>> expected, string what)
    {
        Rgb drawn = default, wanted = default;
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ => (drawn = await map.PixelAsync(slot)).DistanceTo(wanted = await expected()) <= 3,
            DrawDeadline, $"slot {slot} to be drawn in {what} {wanted} (last drawn: {drawn})", TimeSpan.FromMilliseconds(100));
    }
}
