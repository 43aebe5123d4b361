using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using ValkeyDashboard.Cluster.Load;
using ValkeyDashboard.Components.Controls;

namespace ValkeyDashboard.Components.Tests;

/// <summary>The Demo load panel: an operator starts and stops the load with the skew, rate and duration chosen; its state follows the service; hidden where the load may not run.</summary>
public class DemoLoadPanelTests : DashboardTestContext
{
    private IRenderedComponent<DemoLoadPanel> RenderPanel(bool canOperate = true) =>
        Render<DemoLoadPanel>(p => p.Add(c => c.CanOperate, canOperate).Add(c => c.Actor, "alice"));

    [Fact]
    public async Task An_operator_starts_the_load_with_the_chosen_settings_and_stops_it()
    {
        var cut = RenderPanel();
        Assert.Equal("false", cut.Find("[data-testid='load-state']").GetAttribute("data-running"));
        Assert.True(cut.Find("[data-testid='load-stop']").HasAttribute("disabled"));

        // Awaited: the synchronous Click/Change only queue the handler when the renderer is busy (the panel's own
        // throttled render), and the next line would then look before the click was handled.
        await cut.Find("[data-testid='load-skew']").ChangeAsync(new ChangeEventArgs { Value = "hash-tags" });
        await cut.Find("[data-testid='load-rate']").ChangeAsync(new ChangeEventArgs { Value = "250" });
        await cut.Find("[data-testid='load-duration']").ChangeAsync(new ChangeEventArgs { Value = "30" });
        await cut.Find("[data-testid='load-start']").ClickAsync(new MouseEventArgs());

        Assert.Equal(["start hash-tags, 250 ops/s over 100000 keys of 100 B for 30 s by alice"], DemoLoad.Requests);
        cut.WaitForAssertion(() =>
        {
            var state = cut.Find("[data-testid='load-state']");
            Assert.Equal("true", state.GetAttribute("data-running"));
            Assert.StartsWith("Running: hash-tags, 250 ops/s over 100,000 keys", state.TextContent, StringComparison.Ordinal);
            Assert.True(cut.Find("[data-testid='load-start']").HasAttribute("disabled"));
        });

        await cut.Find("[data-testid='load-stop']").ClickAsync(new MouseEventArgs());

        Assert.Equal("stop by alice", DemoLoad.Requests[^1]);
        cut.WaitForAssertion(() => Assert.StartsWith("Not running; the last load stopped by alice", cut.Find("[data-testid='load-state']").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void Progress_published_by_the_service_is_shown()
    {
        var cut = RenderPanel();

        DemoLoad.Publish(new DemoLoadState(true, "bob", DateTimeOffset.UtcNow, null, null, new DemoLoadParameters(1000, 100, 5000, DemoLoadSkew.HotSlots, 60), 12_345, 2, 4_990));

        cut.WaitForAssertion(() => Assert.Equal(
            "Running: hot-slots, 5,000 ops/s over 1,000 keys · 12,345 ops, 2 errors, 4990 ops/s · started by bob", cut.Find("[data-testid='load-state']").TextContent));
    }

    [Fact]
    public async Task A_refused_start_shows_the_service_s_reason()
    {
        DemoLoad.Publish(DemoLoadState.None);
        var cut = RenderPanel();
        await cut.Find("[data-testid='load-rate']").ChangeAsync(new ChangeEventArgs { Value = "50000" });

        await cut.Find("[data-testid='load-start']").ClickAsync(new MouseEventArgs());

        cut.WaitForAssertion(() => Assert.Equal("opsPerSecond must be between 1 and 20000, got 50000", cut.Find("[data-testid='load-error']").TextContent));
        Assert.Empty(DemoLoad.Requests);
    }

    [Fact]
    public void A_viewer_sees_a_running_load_but_no_controls_and_nothing_while_none_runs()
    {
        var cut = RenderPanel(canOperate: false);
        Assert.Empty(cut.FindAll("[data-testid='load-panel']"));

        DemoLoad.Publish(new DemoLoadState(true, "bob", DateTimeOffset.UtcNow, null, null, new DemoLoadParameters(10, 10, 10, DemoLoadSkew.Uniform, 10), 1, 0, 1));

        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("[data-testid='load-state']").GetAttribute("data-running")));
        Assert.Empty(cut.FindAll("[data-testid='load-start']"));
        Assert.Empty(cut.FindAll("[data-testid='load-stop']"));
    }

    [Fact]
    public void Where_the_load_may_not_run_the_panel_is_not_shown()
    {
        DemoLoad.NotAllowedReason = "the demo load is off for an existing cluster";

        var cut = RenderPanel();

        Assert.Empty(cut.FindAll("[data-testid='load-panel']"));
    }
}
