using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components.Web;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Components.Controls;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// The nodes panel: a card per primary and, for an operator of the embedded cluster, node commands that ask before a
/// stop, go to the node commands as the signed-in user, wait while in flight, and say how they ended.
/// </summary>
public class NodesPanelTests : DashboardTestContext
{
    private IRenderedComponent<NodesPanel> RenderPanel(bool canOperate = true) => Render<NodesPanel>(p => p
        .Add(c => c.Snapshot, TestSnapshots.Ok())
        .Add(c => c.CanOperate, canOperate)
        .Add(c => c.Actor, "alice"));

    private static string PrimaryId(int i) => TestSnapshots.PrimaryIds[i];

    /// <summary>The snackbar that says <paramref name="text"/>, and its severity (MudBlazor's alert class).</summary>
    private IElement SnackbarSaying(string text) =>
        Snackbars.FindAll(".mud-snackbar").SingleOrDefault(s => s.TextContent.Contains(text, StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"no snackbar says \"{text}\"; the snackbars: {Snackbars.Markup}");

    private async Task ConfirmAsync(string button)
    {
        await Dialogs.WaitForAssertionAsync(() => Assert.Contains("Stop node?", Dialogs.Markup, StringComparison.Ordinal));
        await Dialogs.FindAll("button").Single(b => b.TextContent.Trim() == button).ClickAsync(new MouseEventArgs());
    }

    [Fact]
    public void Shows_a_card_per_primary_in_endpoint_order_with_add_primary_for_an_operator()
    {
        var cut = RenderPanel();

        Assert.Equal(TestSnapshots.PrimaryIds.Select(id => $"node-card-{id}"), cut.FindAll("[data-testid^='node-card-']").Select(c => c.GetAttribute("data-testid")));
        Assert.NotNull(cut.Find("[data-testid='add-primary']"));
        Assert.NotEmpty(cut.FindAll("[data-testid^='node-stop-']"));
    }

    [Fact]
    public void A_viewer_gets_the_cards_without_node_commands_or_drop_targets()
    {
        var cut = RenderPanel(canOperate: false);

        Assert.Equal(3, cut.FindAll("[data-testid^='node-card-']").Count);
        Assert.Empty(cut.FindAll("[data-testid='add-primary'], [data-testid^='node-stop-'], [data-testid^='add-replica-'], [data-drop-node]"));
    }

    [Fact]
    public void Where_nodes_cannot_be_managed_an_operator_gets_no_node_commands_but_still_drop_targets()
    {
        Nodes.IsAvailable = false;

        var cut = RenderPanel();

        Assert.Empty(cut.FindAll("[data-testid='add-primary'], [data-testid^='node-stop-'], [data-testid^='add-replica-']"));
        Assert.Equal(3, cut.FindAll("[data-drop-node]").Count);
    }

    [Fact]
    public async Task Add_primary_asks_the_node_commands_as_the_signed_in_user_and_says_it_is_done()
    {
        var cut = RenderPanel();

        await cut.Find("[data-testid='add-primary']").ClickAsync(new MouseEventArgs());

        Assert.Equal(["add primary - by alice"], Nodes.Requests);
        await Snackbars.WaitForAssertionAsync(() => Assert.Contains("mud-alert-filled-success", SnackbarSaying("Adding an empty primary: done.").ClassName, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Add_primary_waits_while_one_is_in_flight()
    {
        Nodes.Hold = true;
        var cut = RenderPanel();

        var adding = cut.Find("[data-testid='add-primary']").ClickAsync(new MouseEventArgs());

        await cut.WaitForAssertionAsync(() => Assert.True(cut.Find("[data-testid='add-primary']").HasAttribute("disabled")));
        Assert.Contains("Adding an empty primary…", Snackbars.Markup, StringComparison.Ordinal);
        Nodes.Release();
        await adding.WaitAsync(TimeSpan.FromSeconds(5));
        await cut.WaitForAssertionAsync(() => Assert.False(cut.Find("[data-testid='add-primary']").HasAttribute("disabled")));
        Assert.Single(Nodes.Requests);
    }

    [Fact]
    public async Task Stop_asks_first_and_a_stop_not_confirmed_asks_the_node_commands_nothing()
    {
        var cut = RenderPanel();

        var stop = cut.Find($"[data-testid='node-stop-{PrimaryId(0)}']").ClickAsync(new MouseEventArgs());
        await Dialogs.WaitForAssertionAsync(() => Assert.Contains("Stop 127.0.0.1:7000? It is stopped gracefully; its replica takes over its slots.", Dialogs.Markup, StringComparison.Ordinal));
        await ConfirmAsync("Cancel");
        await stop.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Empty(Nodes.Requests);
    }

    [Fact]
    public async Task A_confirmed_stop_goes_to_the_node_commands_for_that_node()
    {
        var cut = RenderPanel();

        var stop = cut.Find($"[data-testid='node-stop-{TestSnapshots.ReplicaIds[1]}']").ClickAsync(new MouseEventArgs());
        await Dialogs.WaitForAssertionAsync(() => Assert.Contains("Stop 127.0.0.1:7004? It is stopped gracefully; its primary keeps serving.", Dialogs.Markup, StringComparison.Ordinal));
        await ConfirmAsync("Stop");
        await stop.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal([$"stop {TestSnapshots.ReplicaIds[1]} by alice"], Nodes.Requests);
        await Snackbars.WaitForAssertionAsync(() => Assert.NotNull(SnackbarSaying("Stopping 127.0.0.1:7004: done.")));
    }

    [Fact]
    public async Task A_refused_node_change_is_a_warning_with_the_reason()
    {
        Nodes.Error = RequestRefusedException.Conflict("primary 127.0.0.1:7000 serves 5,461 slots and has no online replica to take over");
        var cut = RenderPanel();

        var stop = cut.Find($"[data-testid='node-stop-{PrimaryId(0)}']").ClickAsync(new MouseEventArgs());
        await ConfirmAsync("Stop");
        await stop.WaitAsync(TimeSpan.FromSeconds(5));

        await Snackbars.WaitForAssertionAsync(() =>
        {
            var refused = SnackbarSaying("Stopping 127.0.0.1:7000: refused: primary 127.0.0.1:7000 serves 5,461 slots and has no online replica to take over");
            Assert.Contains("mud-alert-filled-warning", refused.ClassName, StringComparison.Ordinal);
        });
        Assert.DoesNotContain("done.", Snackbars.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_change_that_fails_is_an_error_with_what_went_wrong()
    {
        Nodes.Error = new InvalidOperationException("no node of the embedded cluster is running, so a new node cannot join");
        var cut = RenderPanel();

        await cut.Find($"[data-testid='add-replica-{PrimaryId(2)}']").ClickAsync(new MouseEventArgs());

        Assert.Equal([$"add replica {PrimaryId(2)} by alice"], Nodes.Requests);
        await Snackbars.WaitForAssertionAsync(() =>
        {
            var failed = SnackbarSaying("Adding a replica of 127.0.0.1:7002: failed: no node of the embedded cluster is running, so a new node cannot join");
            Assert.Contains("mud-alert-filled-error", failed.ClassName, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Start_of_a_failed_node_goes_to_the_node_commands()
    {
        var snapshot = TestSnapshots.Ok(failedReplica: 0);
        var cut = Render<NodesPanel>(p => p.Add(c => c.Snapshot, snapshot).Add(c => c.CanOperate, true).Add(c => c.Actor, "alice"));

        await cut.Find($"[data-testid='node-start-{TestSnapshots.ReplicaIds[0]}']").ClickAsync(new MouseEventArgs());

        Assert.Equal([$"start {TestSnapshots.ReplicaIds[0]} by alice"], Nodes.Requests);
    }
}
