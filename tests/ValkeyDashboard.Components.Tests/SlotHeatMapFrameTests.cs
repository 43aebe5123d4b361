using System.Text.Json;
using Bunit;
using ValkeyDashboard.Components.Controls;
using ValkeyDashboard.Model.HeatMap;

namespace ValkeyDashboard.Components.Tests;

/// <summary>The heat map draws through its JS module: the view on start, then a frame of what changed per snapshot.</summary>
public class SlotHeatMapFrameTests : DashboardTestContext
{
    private readonly BunitJSModuleInterop _module;

    public SlotHeatMapFrameTests() => _module = JSInterop.SetupModule(SlotHeatMap.ModulePath);

    private IReadOnlyList<JSRuntimeInvocation> Calls(string identifier) => [.. _module.Invocations[identifier]];

    private Task WaitForCallsAsync(string identifier, int count) =>
        WaitUntilAsync(() => _module.Invocations[identifier].Count >= count, $"{count} {identifier} call(s)");

    private byte[][] Frames() => [.. Calls("applyFrame").Select(c => Assert.IsType<byte[]>(c.Arguments[1]))];

    [Fact]
    public async Task The_module_is_initialized_with_the_canvas_and_the_view_of_metric_and_owners()
    {
        await PublishAndWaitForHeatMapAsync(TestSnapshots.Ok());

        var cut = Render<SlotHeatMap>(p => p.Add(c => c.Metric, HeatMapLayer.Keys));

        var initialize = Assert.Single(Calls("initialize"));
        initialize.Arguments[0].ShouldBeElementReferenceTo(cut.Find("canvas[data-testid='slot-heatmap']"));
        var view = JsonSerializer.SerializeToElement(initialize.Arguments[4]);
        Assert.Equal((int)HeatMapLayer.Keys, view.GetProperty("metric").GetInt32());
        var owners = view.GetProperty("owners").EnumerateArray().ToList();
        Assert.Equal(["127.0.0.1:7000", "127.0.0.1:7001", "127.0.0.1:7002"], owners.Select(o => o.GetProperty("endpoint").GetString()));
        Assert.Equal([0, 1, 2], owners.Select(o => o.GetProperty("index").GetInt32()));
        Assert.Equal(TestSnapshots.PrimaryIds, owners.Select(o => o.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task A_published_snapshot_is_sent_as_a_version_1_frame_holding_the_owner_layer()
    {
        var cut = Render<SlotHeatMap>();
        Assert.Empty(Calls("applyFrame"));

        Snapshots.Publish(TestSnapshots.Ok(version: 7));

        await WaitForCallsAsync("applyFrame", 1);
        Assert.Single(Calls("applyFrame"));
        Calls("applyFrame")[0].Arguments[0].ShouldBeElementReferenceTo(cut.Find("canvas"));
        var frame = HeatMapFrame.Decode(Frames()[0]);
        Assert.Equal(1, frame.Version);
        Assert.Equal(7u, frame.SnapshotVersion);
        Assert.NotNull(frame.SectionOf(HeatMapLayer.Owner));
        var browser = new BrowserHeatMap();
        browser.Apply(Frames()[0]);
        Assert.Equal(0, browser[HeatMapLayer.Owner][0]);
        Assert.Equal(1, browser[HeatMapLayer.Owner][5461]);
        Assert.Equal(2, browser[HeatMapLayer.Owner][16383]);
    }

    [Fact]
    public async Task The_owners_that_arrive_with_the_first_snapshot_are_sent_as_a_new_view()
    {
        var cut = Render<SlotHeatMap>();

        Snapshots.Publish(TestSnapshots.Ok());

        await WaitForCallsAsync("setView", 1);
        var view = JsonSerializer.SerializeToElement(Calls("setView")[0].Arguments[1]);
        Assert.Equal(3, view.GetProperty("owners").GetArrayLength());
    }

    [Fact]
    public async Task A_snapshot_that_changes_nothing_sends_no_frame()
    {
        var cut = Render<SlotHeatMap>();
        Snapshots.Publish(TestSnapshots.Ok(version: 1));
        await WaitForCallsAsync("applyFrame", 1);

        await PublishAndWaitForHeatMapAsync(TestSnapshots.Ok(version: 2));
        // Something does change in version 3, so the test waits for a frame instead of for nothing to happen.
        Snapshots.Publish(TestSnapshots.Ok(version: 3, statistics: TestSnapshots.Keys((0, 500))));

        await WaitForCallsAsync("applyFrame", 2);
        Assert.Equal(2, Calls("applyFrame").Count);
        var second = HeatMapFrame.Decode(Frames()[1]);
        Assert.Equal(3u, second.SnapshotVersion);
        var section = Assert.Single(second.Sections);
        Assert.Equal(HeatMapLayer.Keys, section.Layer);
    }

    [Fact]
    public async Task Changing_the_metric_sends_the_new_view_and_no_data_the_browser_has()
    {
        await PublishAndWaitForHeatMapAsync(TestSnapshots.Ok());
        var cut = Render<SlotHeatMap>(p => p.Add(c => c.Metric, HeatMapLayer.Owner));
        Assert.Single(Calls("applyFrame"));

        cut.Render(p => p.Add(c => c.Metric, HeatMapLayer.Keys));

        var setView = Assert.Single(Calls("setView"));
        setView.Arguments[0].ShouldBeElementReferenceTo(cut.Find("canvas"));
        Assert.Equal((int)HeatMapLayer.Keys, JsonSerializer.SerializeToElement(setView.Arguments[1]).GetProperty("metric").GetInt32());
        Assert.Single(Calls("applyFrame"));
    }

    [Fact]
    public async Task Planned_moves_are_sent_in_the_view_with_their_slots_and_target_and_taken_back_when_gone()
    {
        await PublishAndWaitForHeatMapAsync(TestSnapshots.Ok());
        var cut = Render<SlotHeatMap>();
        Assert.Empty(Calls("setView"));

        cut.Render(p => p.Add(c => c.PlannedMoves, [
            new HeatMapPlannedMove(Cluster.Model.SlotRangeSet.Parse("0-99,200"), TestSnapshots.PrimaryIds[1]),
            new HeatMapPlannedMove(Cluster.Model.SlotRangeSet.Parse("5461-5470"), TestSnapshots.PrimaryIds[2]),
        ]));

        var planned = JsonSerializer.SerializeToElement(Assert.Single(Calls("setView")).Arguments[1]).GetProperty("planned").EnumerateArray()
            .Select(p => $"{p.GetProperty("slots").GetString()}>{p.GetProperty("target").GetString()}").ToList();
        Assert.Equal([$"0-99,200>{TestSnapshots.PrimaryIds[1]}", $"5461-5470>{TestSnapshots.PrimaryIds[2]}"], planned);

        // The same moves again send nothing; none any more sends a view without them.
        cut.Render(p => p.Add(c => c.PlannedMoves, [
            new HeatMapPlannedMove(Cluster.Model.SlotRangeSet.Parse("0-99,200"), TestSnapshots.PrimaryIds[1]),
            new HeatMapPlannedMove(Cluster.Model.SlotRangeSet.Parse("5461-5470"), TestSnapshots.PrimaryIds[2]),
        ]));
        Assert.Single(Calls("setView"));
        cut.Render(p => p.Add(c => c.PlannedMoves, []));
        Assert.Equal(2, Calls("setView").Count);
        Assert.Equal(0, JsonSerializer.SerializeToElement(Calls("setView")[1].Arguments[1]).GetProperty("planned").GetArrayLength());
    }

    [Fact]
    public async Task Leaving_the_page_releases_the_canvas_in_the_module()
    {
        var cut = Render<SlotHeatMap>();
        var canvas = cut.Find("canvas");

        await DisposeComponentsAsync();

        var dispose = Assert.Single(Calls("dispose"));
        dispose.Arguments[0].ShouldBeElementReferenceTo(canvas);
    }
}
