using Bunit;
using ValkeyDashboard.Components.Controls;
using ValkeyDashboard.Model.HeatMap;

namespace ValkeyDashboard.Components.Tests;

/// <summary>A past moment on the heat map: drawn through the same frames, not overwritten by live ones, and live again when cleared.</summary>
public sealed class SlotHeatMapPastTests : DashboardTestContext
{
    private readonly BunitJSModuleInterop _module;

    public SlotHeatMapPastTests() => _module = JSInterop.SetupModule(SlotHeatMap.ModulePath);

    private int FrameCount => _module.Invocations["applyFrame"].Count;

    private BrowserHeatMap Browser()
    {
        var browser = new BrowserHeatMap();
        foreach (var call in _module.Invocations["applyFrame"])
        {
            browser.Apply(Assert.IsType<byte[]>(call.Arguments[1]));
        }

        return browser;
    }

    [Fact]
    public async Task A_past_moment_is_drawn_and_live_frames_wait_until_it_is_cleared()
    {
        await PublishAndWaitForHeatMapAsync(TestSnapshots.Ok(version: 1));
        var cut = Render<SlotHeatMap>();
        await WaitUntilAsync(() => FrameCount == 1, "the live frame");
        var past = SlotHeatLayers.FromHistory(HistoryPoints.At(TestMigrations.Created, slot0Owner: 2));

        cut.Render(p => p.Add(c => c.Past, past));
        await WaitUntilAsync(() => FrameCount == 2, "the past frame");
        Assert.Equal(2, Browser()[HeatMapLayer.Owner][0]);

        // Live snapshots arrive while the past is shown: nothing is drawn over it (given half a second to go wrong).
        await PublishAndWaitForHeatMapAsync(TestSnapshots.Ok(version: 2) with { SlotStatistics = TestSnapshots.Keys((0, 5)) });
        var overwritten = Task.Run(() => WaitUntilAsync(() => FrameCount > 2, "a live frame over the past one"));
        Assert.NotSame(overwritten, await Task.WhenAny(overwritten, Task.Delay(TimeSpan.FromMilliseconds(500))));
        Assert.Equal(2, Browser()[HeatMapLayer.Owner][0]);

        cut.Render(p => p.Add(c => c.Past, null));
        await WaitUntilAsync(() => Browser() is var b && b[HeatMapLayer.Owner][0] == 0 && b[HeatMapLayer.Keys][0] > 0, "the live map again");
        Assert.Equal(0, Browser()[HeatMapLayer.Keys][1]); // the past moment had 10 keys in every slot
        await overwritten; // ends with the live frame after the past was cleared
    }
}
