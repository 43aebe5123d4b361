using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Restarts;
using ValkeyDashboard.Components.Controls;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// Restart on a node row: the confirmation says what will happen (in place, or which replica a primary fails over to,
/// with fail back on request), Restart goes to the node commands as the signed-in user with the fail-back chosen, the
/// node shows busy until it is back, and a refusal says why; viewers and External mode get no Restart.
/// </summary>
public class NodeRestartTests : DashboardTestContext
{
    private static readonly string Replica = TestSnapshots.ReplicaIds[1];
    private static readonly string Primary = TestSnapshots.PrimaryIds[0];

    private const string FailoverPlan = "fail primary 127.0.0.1:7000 over to its in-sync replica 127.0.0.1:7003, restart 127.0.0.1:7000; it comes back as a replica";
    private const string FailBackPlan = "fail primary 127.0.0.1:7000 over to its in-sync replica 127.0.0.1:7003, restart 127.0.0.1:7000, then fail back to it";

    public NodeRestartTests() => Nodes.RestartPlan = (id, failBack) => id == Primary
        ? new RestartPlan(id, "127.0.0.1:7000", RestartKind.Failover, TestSnapshots.ReplicaIds[0], "127.0.0.1:7003", failBack ? FailBackPlan : FailoverPlan)
        : new RestartPlan(id, "127.0.0.1:7004", RestartKind.Replica, null, null,
            "restart replica 127.0.0.1:7004 in place and wait until it is in sync again; its primary 127.0.0.1:7001 keeps serving");

    private IRenderedComponent<NodesPanel> RenderPanel(bool canOperate = true) => Render<NodesPanel>(p => p
        .Add(c => c.Snapshot, TestSnapshots.Ok())
        .Add(c => c.CanOperate, canOperate)
        .Add(c => c.Actor, "alice"));

    private IElement SnackbarSaying(string text) =>
        Snackbars.FindAll(".mud-snackbar").SingleOrDefault(s => s.TextContent.Contains(text, StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"no snackbar says \"{text}\"; the snackbars: {Snackbars.Markup}");

    /// <summary>Clicks Restart on the node's row and waits until the dialog shows the plan (or the refusal).</summary>
    private async Task<Task> OpenAsync(IRenderedComponent<NodesPanel> cut, string nodeId, string shown = "restart-plan")
    {
        var click = cut.Find($"[data-testid='node-restart-{nodeId}']").ClickAsync(new MouseEventArgs());
        await Dialogs.WaitForAssertionAsync(() => Assert.NotNull(Dialogs.Find($"[data-testid='{shown}']")));
        return click;
    }

    [Fact]
    public async Task The_dialog_says_what_restarting_a_replica_does_and_Restart_asks_the_node_commands_as_the_signed_in_user()
    {
        var cut = RenderPanel();

        var click = await OpenAsync(cut, Replica);

        Assert.Equal("Restart replica 127.0.0.1:7004 in place and wait until it is in sync again; its primary 127.0.0.1:7001 keeps serving.",
            Dialogs.Find("[data-testid='restart-plan']").Text());
        // A replica's restart has no failover, so nothing to fail back.
        Assert.Empty(Dialogs.FindAll("[data-testid='restart-failback']"));
        Assert.Equal([$"preview restart {Replica} failBack=False"], Nodes.Requests);

        await Dialogs.Find("[data-testid='restart-confirm']").ClickAsync(new MouseEventArgs());
        await click.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal([$"preview restart {Replica} failBack=False", $"restart {Replica} failBack=False by alice"], Nodes.Requests);
        await Snackbars.WaitForAssertionAsync(() => Assert.NotNull(SnackbarSaying("Restarting 127.0.0.1:7004: done.")));
        Assert.Empty(Dialogs.FindAll("[data-testid='restart-dialog']"));
    }

    [Fact]
    public async Task A_primary_shows_which_replica_it_fails_over_to_and_fail_back_is_previewed_again_and_passed_on()
    {
        var cut = RenderPanel();

        var click = await OpenAsync(cut, Primary);
        Assert.Contains("Fail primary 127.0.0.1:7000 over to its in-sync replica 127.0.0.1:7003", Dialogs.Find("[data-testid='restart-plan']").Text(), StringComparison.Ordinal);

        await Dialogs.Find("[data-testid='restart-failback']").ChangeAsync(new ChangeEventArgs { Value = true });

        await Dialogs.WaitForAssertionAsync(() => Assert.Equal(FailBackPlan[..1].ToUpperInvariant() + FailBackPlan[1..] + ".", Dialogs.Find("[data-testid='restart-plan']").Text()));
        await Dialogs.Find("[data-testid='restart-confirm']").ClickAsync(new MouseEventArgs());
        await click.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(
            [$"preview restart {Primary} failBack=False", $"preview restart {Primary} failBack=True", $"restart {Primary} failBack=True by alice"],
            Nodes.Requests);
    }

    [Fact]
    public async Task Cancel_restarts_nothing()
    {
        var cut = RenderPanel();

        var click = await OpenAsync(cut, Primary);
        await Dialogs.Find("[data-testid='restart-cancel']").ClickAsync(new MouseEventArgs());
        await click.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal([$"preview restart {Primary} failBack=False"], Nodes.Requests);
    }

    [Fact]
    public async Task A_preview_refused_shows_the_reason_in_the_dialog_and_Restart_cannot_be_clicked()
    {
        Nodes.Error = RequestRefusedException.Conflict("primary 127.0.0.1:7000 has no in-sync replica to fail over to: 127.0.0.1:7003 is 3 s behind");
        var cut = RenderPanel();

        await OpenAsync(cut, Primary, shown: "restart-error");

        Assert.Equal("Cannot restart 127.0.0.1:7000 now: primary 127.0.0.1:7000 has no in-sync replica to fail over to: 127.0.0.1:7003 is 3 s behind",
            Dialogs.Find("[data-testid='restart-error']").Text());
        Assert.Empty(Dialogs.FindAll("[data-testid='restart-plan']"));
        Assert.True(Dialogs.Find("[data-testid='restart-confirm']").HasAttribute("disabled"));
        Assert.Equal([$"preview restart {Primary} failBack=False"], Nodes.Requests);
    }

    [Fact]
    public async Task A_restart_refused_after_the_confirmation_is_a_warning_with_the_reason()
    {
        var cut = RenderPanel();
        var click = await OpenAsync(cut, Replica);
        Nodes.Error = RequestRefusedException.Conflict("another node is being restarted: nodes restart one at a time");

        await Dialogs.Find("[data-testid='restart-confirm']").ClickAsync(new MouseEventArgs());
        await click.WaitAsync(TimeSpan.FromSeconds(5));

        await Snackbars.WaitForAssertionAsync(() =>
        {
            var refused = SnackbarSaying("Restarting 127.0.0.1:7004: refused: another node is being restarted: nodes restart one at a time");
            Assert.Contains("mud-alert-filled-warning", refused.ClassName, StringComparison.Ordinal);
        });
        Assert.DoesNotContain("done.", Snackbars.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_node_shows_busy_until_it_is_back_and_cannot_be_restarted_twice_meanwhile()
    {
        var cut = RenderPanel();
        var click = await OpenAsync(cut, Replica);
        Nodes.Hold = true;

        await Dialogs.Find("[data-testid='restart-confirm']").ClickAsync(new MouseEventArgs());

        await cut.WaitForAssertionAsync(() => Assert.Equal("Restarting 127.0.0.1:7004…", cut.Find($"[data-testid='node-activity-{Replica}']").Text()));
        Assert.True(cut.Find($"[data-testid='node-restart-{Replica}']").HasAttribute("disabled"));
        Assert.True(cut.Find($"[data-testid='node-stop-{Replica}']").HasAttribute("disabled"));
        Assert.False(cut.Find($"[data-testid='node-restart-{Primary}']").HasAttribute("disabled"));

        Nodes.Release();
        await click.WaitAsync(TimeSpan.FromSeconds(5));
        await cut.WaitForAssertionAsync(() => Assert.Empty(cut.FindAll($"[data-testid='node-activity-{Replica}']")));
        Assert.False(cut.Find($"[data-testid='node-restart-{Replica}']").HasAttribute("disabled"));
    }

    [Fact]
    public void A_viewer_gets_no_restart_and_no_rolling_restart()
    {
        var cut = RenderPanel(canOperate: false);

        Assert.Equal(3, cut.FindAll("[data-testid^='node-card-']").Count);
        Assert.Empty(cut.FindAll("[data-testid^='node-restart-'], [data-testid='rolling-restart']"));
    }

    [Fact]
    public void Where_nodes_cannot_be_managed_there_is_no_restart_and_no_rolling_restart()
    {
        Nodes.IsAvailable = false;

        var cut = RenderPanel();

        Assert.Empty(cut.FindAll("[data-testid^='node-restart-'], [data-testid='rolling-restart']"));
    }

    [Fact]
    public void An_operator_gets_restart_on_every_running_node_and_none_on_a_failed_one()
    {
        var cut = Render<NodesPanel>(p => p
            .Add(c => c.Snapshot, TestSnapshots.Ok(failedReplica: 0))
            .Add(c => c.CanOperate, true)
            .Add(c => c.Actor, "alice"));

        string[] expected = [.. TestSnapshots.PrimaryIds.Select(id => $"node-restart-{id}"), $"node-restart-{TestSnapshots.ReplicaIds[1]}", $"node-restart-{TestSnapshots.ReplicaIds[2]}"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), cut.FindAll("[data-testid^='node-restart-']").Select(b => b.GetAttribute("data-testid")!).Order(StringComparer.Ordinal));
        Assert.NotNull(cut.Find($"[data-testid='node-start-{TestSnapshots.ReplicaIds[0]}']"));
    }

    [Fact]
    public void While_a_rolling_restart_runs_single_restarts_wait_for_it()
    {
        var cut = Render<NodesPanel>(p => p
            .Add(c => c.Snapshot, TestSnapshots.Ok())
            .Add(c => c.CanOperate, true)
            .Add(c => c.Actor, "alice")
            .Add(c => c.RollingRestartActive, true));

        Assert.All(cut.FindAll("[data-testid^='node-restart-']"), b => Assert.True(b.HasAttribute("disabled")));
        Assert.True(cut.Find("[data-testid='rolling-restart']").HasAttribute("disabled"));
    }
}
