using System.Collections.Immutable;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Plans;
using ValkeyDashboard.Components.Controls;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// Preparing a plan: the panel previews what the metric, threshold and weights give (nothing moves), hands the preview
/// to the page for the map, lists the moves with keys and bytes beside each primary's figures and a chart, says what
/// was refused, and starts exactly the request it previewed.
/// </summary>
public class PlanPanelTests : DashboardTestContext
{
    private readonly List<PlanPreview?> _shown = [];
    private readonly List<Plan> _started = [];
    private int _closed;

    private IRenderedComponent<PlanPanel> RenderPanel(PlanKind kind = PlanKind.Rebalance, string? drain = null, PlanMetric metric = PlanMetric.Keys) =>
        Render<PlanPanel>(p => p
            .Add(c => c.Kind, kind)
            .Add(c => c.DrainNodeId, drain)
            .Add(c => c.InitialMetric, metric)
            .Add(c => c.Snapshot, TestSnapshots.Ok())
            .Add(c => c.Actor, "alice")
            .Add(c => c.PreviewChanged, preview => _shown.Add(preview))
            .Add(c => c.Started, plan => _started.Add(plan))
            .Add(c => c.CloseRequested, () => _closed++));

    private static string Text(IRenderedComponent<PlanPanel> cut, string testId) => cut.Find($"[data-testid='{testId}']").Text();

    [Fact]
    public async Task Opening_previews_the_plan_and_shows_its_moves_with_keys_and_bytes_each_primary_before_and_after_and_the_estimate()
    {
        Plans.Preview = TestPlans.Preview(metric: PlanMetric.Keys);

        var cut = RenderPanel();

        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='plan-preview']")));
        var request = Assert.Single(Plans.Previews);
        Assert.Equal((PlanKind.Rebalance, PlanMetric.Keys, 0, 0, (double?)null, "alice"),
            (request.Kind, request.Metric, request.NodeIds.Length, request.Weights.Count, request.Threshold, request.RequestedBy));
        Assert.Equal("Balance the cluster", Text(cut, "plan-title"));
        Assert.Equal("5461-5560 (100 slots) 127.0.0.1:7001 → 127.0.0.1:7000 1,234 keys · 123.0 KiB", Text(cut, "plan-preview-move-0"));
        Assert.Equal("10922-11021 (100 slots) 127.0.0.1:7002 → 127.0.0.1:7000 2,000 keys · 200.0 KiB", Text(cut, "plan-preview-move-1"));
        Assert.Equal(TestSnapshots.PrimaryIds[0], cut.Find("[data-testid='plan-preview-move-1']").GetAttribute("data-target"));
        Assert.Equal("Imbalance 1.02 → 1.00", Text(cut, "plan-imbalance"));
        Assert.Equal("3,234 keys, 323.0 KiB", Text(cut, "plan-keys"));
        Assert.Equal("about 2.5 s", Text(cut, "plan-estimate"));
        Assert.Equal("127.0.0.1:7001 5,561 keys 5,461 keys 5,461 keys 5,561 → 5,461", Text(cut, $"plan-node-{TestSnapshots.PrimaryIds[1]}"));
        // The chart draws a bar per primary for before, after and target.
        Assert.NotEmpty(cut.FindAll("[data-testid='plan-chart'] svg"));
        Assert.Equal(["Before", "After", "Target"], cut.FindComponent<MudBlazor.MudChart<double>>().Instance.ChartSeries.Select(s => s.Name));
        Assert.Same(Plans.Preview, Assert.Single(_shown));
        Assert.False(cut.Find("[data-testid='plan-confirm']").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Choosing_another_metric_previews_again_by_that_metric()
    {
        Plans.PreviewFor = request => TestPlans.Preview(metric: request.Metric);
        var cut = RenderPanel(metric: PlanMetric.Keys);
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='plan-preview']")));

        await cut.Find("[data-testid='plan-metric-memory']").ClickAsync(new MouseEventArgs());

        await cut.WaitForAssertionAsync(() => Assert.Equal("memory", cut.Find("[data-testid='plan-preview']").GetAttribute("data-metric")));
        Assert.Equal([PlanMetric.Keys, PlanMetric.Memory], Plans.Previews.Select(p => p.Metric));
        // Figures read in the metric's unit: memory in bytes.
        Assert.Equal("127.0.0.1:7000 5.1 KiB 5.3 KiB 5.3 KiB 5,261 → 5,461", Text(cut, $"plan-node-{TestSnapshots.PrimaryIds[0]}"));
        Assert.Equal(PlanMetric.Memory, _shown[^1]!.Metric);
    }

    [Fact]
    public async Task The_threshold_and_the_weights_are_sent_with_the_preview_and_weights_left_at_1_are_not()
    {
        Plans.Preview = TestPlans.Preview();
        var cut = RenderPanel();
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='plan-preview']")));

        await cut.Find("input[data-testid='plan-threshold']").ChangeAsync(new ChangeEventArgs { Value = "5" });
        await cut.Find("[data-testid='plan-weights-toggle']").ClickAsync(new MouseEventArgs());
        await cut.Find($"input[data-testid='plan-weight-{TestSnapshots.PrimaryIds[1]}']").ChangeAsync(new ChangeEventArgs { Value = "2" });
        await cut.Find($"input[data-testid='plan-weight-{TestSnapshots.PrimaryIds[2]}']").ChangeAsync(new ChangeEventArgs { Value = "3" });
        await cut.Find($"input[data-testid='plan-weight-{TestSnapshots.PrimaryIds[2]}']").ChangeAsync(new ChangeEventArgs { Value = "1" });

        await cut.WaitForAssertionAsync(() => Assert.Equal(5, Plans.Previews.Count));
        Assert.Equal([(TestSnapshots.PrimaryIds[1], 2.0), (TestSnapshots.PrimaryIds[2], 3.0)], Plans.Previews[3].Weights.OrderBy(w => w.Key).Select(w => (w.Key, w.Value)));
        var last = Plans.Previews[^1];
        Assert.Equal(0.05, last.Threshold);
        Assert.Equal([(TestSnapshots.PrimaryIds[1], 2.0)], last.Weights.Select(w => (w.Key, w.Value)));
        Assert.Contains("(1 set)", Text(cut, "plan-weights-toggle"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_preview_shows_the_services_message_and_nothing_can_start()
    {
        Plans.PreviewError = RequestRefusedException.Conflict("CPU per slot is not reported: slot statistics are off on the primaries (CONFIG SET cluster-slot-stats-enabled yes)");

        var cut = RenderPanel(metric: PlanMetric.Cpu);

        await cut.WaitForAssertionAsync(() => Assert.Contains("CPU per slot is not reported", Text(cut, "plan-error"), StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid='plan-preview']"));
        Assert.True(cut.Find("[data-testid='plan-confirm']").HasAttribute("disabled"));
        Assert.Null(Assert.Single(_shown));
    }

    [Fact]
    public async Task Warnings_are_listed_and_a_plan_with_nothing_to_move_cannot_start()
    {
        Plans.Preview = TestPlans.Preview(moves: [], warnings: ["nothing to move: every primary is within 2% of its target", "memory per slot is an estimate"]);

        var cut = RenderPanel();

        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='plan-no-moves']")));
        Assert.Equal("nothing to move: every primary is within 2% of its target", Text(cut, "plan-warning-0"));
        Assert.Equal("memory per slot is an estimate", Text(cut, "plan-warning-1"));
        Assert.True(cut.Find("[data-testid='plan-confirm']").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Start_runs_the_request_it_previewed_as_the_signed_in_user_and_hands_the_plan_to_the_page()
    {
        Plans.Preview = TestPlans.Preview();
        Plans.NextId = "p-9";
        var cut = RenderPanel(metric: PlanMetric.Slots);
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='plan-preview']")));

        await cut.Find("[data-testid='plan-confirm']").ClickAsync(new MouseEventArgs());

        var started = Assert.Single(Plans.Starts);
        var previewed = Assert.Single(Plans.Previews);
        Assert.Equal((previewed.Kind, previewed.Metric, previewed.Threshold, "alice"), (started.Kind, started.Metric, started.Threshold, started.RequestedBy));
        Assert.Equal("p-9", Assert.Single(_started).Id);
    }

    [Fact]
    public async Task A_refused_start_says_why_and_leaves_the_panel_as_it_was()
    {
        Plans.Preview = TestPlans.Preview();
        Plans.StartError = RequestRefusedException.Conflict("plan 0197aa (rebalance by keys) is running; one plan runs at a time: wait for it, or cancel it");
        var cut = RenderPanel();
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='plan-preview']")));

        await cut.Find("[data-testid='plan-confirm']").ClickAsync(new MouseEventArgs());

        Assert.Equal("Not started: plan 0197aa (rebalance by keys) is running; one plan runs at a time: wait for it, or cancel it", Text(cut, "plan-error"));
        Assert.Empty(_started);
        Assert.NotNull(cut.Find("[data-testid='plan-preview-move-0']"));
    }

    [Fact]
    public async Task A_drain_previews_the_drain_of_its_primary_which_takes_no_weight()
    {
        Plans.Preview = TestPlans.Preview(kind: PlanKind.Drain);
        var drained = TestSnapshots.PrimaryIds[1];

        var cut = RenderPanel(PlanKind.Drain, drained);

        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='plan-preview']")));
        var request = Assert.Single(Plans.Previews);
        Assert.Equal(PlanKind.Drain, request.Kind);
        Assert.Equal([drained], request.NodeIds.ToArray());
        Assert.Equal("Drain 127.0.0.1:7001", Text(cut, "plan-title"));
        Assert.Equal("Start the drain", Text(cut, "plan-confirm"));
        await cut.Find("[data-testid='plan-weights-toggle']").ClickAsync(new MouseEventArgs());
        Assert.Empty(cut.FindAll($"[data-testid='plan-weight-{drained}']"));
        Assert.Contains("drained (0)", Text(cut, "plan-weights"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Closing_tells_the_page_and_a_preview_that_arrives_afterwards_never_reaches_it()
    {
        Plans.Preview = TestPlans.Preview();
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Plans.PreviewAnswer = answer.Task;
        var cut = RenderPanel();
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='plan-preview-loading']")));

        await cut.Find("[data-testid='plan-close']").ClickAsync(new MouseEventArgs());
        answer.SetResult();
        await WaitUntilAsync(() => Plans.Previews.Count == 1, "the preview to have been asked");
        await Task.Delay(100);

        Assert.Equal(1, _closed);
        Assert.Empty(_shown);
    }
}
