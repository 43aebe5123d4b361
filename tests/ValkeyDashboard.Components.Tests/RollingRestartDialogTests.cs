using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Restarts;
using ValkeyDashboard.Components.Controls;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// Rolling restart… in the nodes panel: the dialog lists every node in the order the service would restart it, each with
/// what its restart does; fail back is previewed again; Start goes to the service for every node as the signed-in user
/// and hands the started rolling restart to the page; a refusal says why and starts nothing.
/// </summary>
public class RollingRestartDialogTests : DashboardTestContext
{
    private readonly List<RollingRestart> _started = [];

    private IRenderedComponent<NodesPanel> RenderPanel() => Render<NodesPanel>(p => p
        .Add(c => c.Snapshot, TestSnapshots.Ok())
        .Add(c => c.CanOperate, true)
        .Add(c => c.Actor, "alice")
        .Add(c => c.RollingRestartStarted, r => _started.Add(r)));

    private async Task<Task> OpenAsync(IRenderedComponent<NodesPanel> cut, string shown = "rolling-restart-step-0")
    {
        var click = cut.Find("[data-testid='rolling-restart']").ClickAsync(new MouseEventArgs());
        await Dialogs.WaitForAssertionAsync(() => Assert.NotNull(Dialogs.Find($"[data-testid='{shown}']")));
        return click;
    }

    /// <summary>Each listed step as "endpoint | role | plan", in the order shown.</summary>
    private List<string> ListedSteps() =>
        [.. Dialogs.FindAll("[data-testid^='rolling-restart-step-']").Select(row => string.Join(" | ", row.QuerySelectorAll("td").Skip(1).Select(td => td.Text())))];

    [Fact]
    public async Task The_dialog_lists_every_step_in_order_with_its_endpoint_role_and_plan()
    {
        var cut = RenderPanel();

        await OpenAsync(cut);

        Assert.Equal(TestRestarts.Steps().Select(s => $"{s.Endpoint} | {s.Role} | {s.Plan}"), ListedSteps());
        Assert.Equal(
            ["rolling-restart-step-0", "rolling-restart-step-1", "rolling-restart-step-2", "rolling-restart-step-3", "rolling-restart-step-4", "rolling-restart-step-5"],
            Dialogs.FindAll("[data-testid^='rolling-restart-step-']").Select(r => r.GetAttribute("data-testid")));
        Assert.Equal(["preview [] failBack=False"], RollingRestarts.Requests);
        Assert.Empty(RollingRestarts.Starts);
    }

    [Fact]
    public async Task Start_asks_the_service_for_every_node_as_the_signed_in_user_and_hands_the_rolling_restart_to_the_page()
    {
        RollingRestarts.NextId = "r-1";
        var cut = RenderPanel();
        var click = await OpenAsync(cut);

        await Dialogs.Find("[data-testid='rolling-restart-start']").ClickAsync(new MouseEventArgs());
        await click.WaitAsync(TimeSpan.FromSeconds(5));

        var start = Assert.Single(RollingRestarts.Starts);
        Assert.Empty(start.NodeIds);
        Assert.False(start.FailBack);
        Assert.Equal("alice", start.RequestedBy);
        Assert.False(string.IsNullOrEmpty(start.IdempotencyKey));
        Assert.Equal("r-1", Assert.Single(_started).Id);
        Assert.Empty(Dialogs.FindAll("[data-testid='rolling-restart-dialog']"));
        await Snackbars.WaitForAssertionAsync(() => Assert.Contains("Rolling restart r-1 started: 6 node(s), one at a time.", Snackbars.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fail_back_is_previewed_again_and_the_rolling_restart_started_with_it()
    {
        RollingRestarts.StepsFor = failBack => TestRestarts.Steps(failBack);
        var cut = RenderPanel();
        var click = await OpenAsync(cut);

        await Dialogs.Find("[data-testid='rolling-restart-failback']").ChangeAsync(new ChangeEventArgs { Value = true });

        await Dialogs.WaitForAssertionAsync(() => Assert.EndsWith("then fail back to it", ListedSteps()[3], StringComparison.Ordinal));
        await Dialogs.Find("[data-testid='rolling-restart-start']").ClickAsync(new MouseEventArgs());
        await click.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(["preview [] failBack=False", "preview [] failBack=True", "start [] failBack=True by alice"], RollingRestarts.Requests);
        Assert.True(Assert.Single(_started).FailBack);
    }

    [Fact]
    public async Task A_refused_preview_says_why_and_Start_cannot_be_clicked()
    {
        RollingRestarts.PreviewError = RequestRefusedException.Conflict(
            "a rolling restart of these nodes cannot run now: primary 127.0.0.1:7002 has no in-sync replica to fail over to");
        var cut = RenderPanel();

        await OpenAsync(cut, shown: "rolling-restart-error");

        Assert.Equal("Cannot restart the cluster now: a rolling restart of these nodes cannot run now: primary 127.0.0.1:7002 has no in-sync replica to fail over to",
            Dialogs.Find("[data-testid='rolling-restart-error']").Text());
        Assert.Empty(Dialogs.FindAll("[data-testid^='rolling-restart-step-']"));
        Assert.True(Dialogs.Find("[data-testid='rolling-restart-start']").HasAttribute("disabled"));
    }

    [Fact]
    public async Task A_refused_start_says_why_keeps_the_dialog_open_and_hands_nothing_to_the_page()
    {
        RollingRestarts.StartError = RequestRefusedException.Conflict("rolling restart r-0 is running; one runs at a time: wait for it, or cancel it");
        var cut = RenderPanel();
        await OpenAsync(cut);

        await Dialogs.Find("[data-testid='rolling-restart-start']").ClickAsync(new MouseEventArgs());

        await Dialogs.WaitForAssertionAsync(() => Assert.Equal(
            "Cannot restart the cluster now: rolling restart r-0 is running; one runs at a time: wait for it, or cancel it",
            Dialogs.Find("[data-testid='rolling-restart-error']").Text()));
        Assert.NotNull(Dialogs.Find("[data-testid='rolling-restart-dialog']"));
        Assert.Empty(_started);
    }

    [Fact]
    public async Task Closing_the_dialog_starts_nothing()
    {
        var cut = RenderPanel();
        var click = await OpenAsync(cut);

        await Dialogs.Find("[data-testid='rolling-restart-close']").ClickAsync(new MouseEventArgs());
        await click.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Empty(RollingRestarts.Starts);
        Assert.Empty(_started);
    }
}
