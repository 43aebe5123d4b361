using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Components.Controls;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// Scaling in and out from the cards, for an operator on any cluster: Drain on a primary that owns slots, Remove on an
/// empty primary and on replicas (after confirming), "Rebalance onto it" on an empty primary, and Add node by endpoint
/// on an existing cluster; refusals say why; a viewer sees none of it.
/// </summary>
public class NodeMembershipTests : DashboardTestContext
{
    private static string PrimaryId(int i) => TestSnapshots.PrimaryIds[i];

    private static string ReplicaId(int i) => TestSnapshots.ReplicaIds[i];

    private readonly List<string> _asked = [];

    private IRenderedComponent<NodesPanel> RenderPanel(ClusterSnapshot? snapshot = null, bool canOperate = true, bool planRunning = false) => Render<NodesPanel>(p => p
        .Add(c => c.Snapshot, snapshot ?? TestSnapshots.WithEmptyPrimary())
        .Add(c => c.CanOperate, canOperate)
        .Add(c => c.PlanRunning, planRunning)
        .Add(c => c.Actor, "alice")
        .Add(c => c.DrainRequested, id => _asked.Add($"drain {id}"))
        .Add(c => c.RebalanceRequested, id => _asked.Add($"rebalance onto {id}")));

    private IElement SnackbarSaying(string text) =>
        Snackbars.FindAll(".mud-snackbar").SingleOrDefault(s => s.TextContent.Contains(text, StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"no snackbar says \"{text}\"; the snackbars: {Snackbars.Markup}");

    private async Task AnswerAsync(string question, string button)
    {
        await Dialogs.WaitForAssertionAsync(() => Assert.Contains(question, Dialogs.Markup, StringComparison.Ordinal));
        await Dialogs.FindAll("button").Single(b => b.TextContent.Trim() == button).ClickAsync(new MouseEventArgs());
    }

    [Fact]
    public async Task A_primary_that_owns_slots_offers_Drain_and_no_Remove_and_Drain_asks_the_page_for_that_primary()
    {
        var cut = RenderPanel();

        Assert.Empty(cut.FindAll($"[data-testid='remove-node-{PrimaryId(1)}']"));
        await cut.Find($"[data-testid='drain-node-{PrimaryId(1)}']").ClickAsync(new MouseEventArgs());

        Assert.Equal([$"drain {PrimaryId(1)}"], _asked);
        Assert.Empty(Nodes.Requests);
    }

    [Fact]
    public async Task An_empty_primary_offers_Remove_and_Rebalance_onto_it_and_no_Drain()
    {
        var cut = RenderPanel();
        var id = TestSnapshots.EmptyPrimaryId;

        Assert.Empty(cut.FindAll($"[data-testid='drain-node-{id}']"));
        Assert.Contains("holds no slots", cut.Find($"[data-testid='empty-primary-{id}']").Text(), StringComparison.Ordinal);
        await cut.Find($"[data-testid='rebalance-onto-{id}']").ClickAsync(new MouseEventArgs());

        Assert.Equal([$"rebalance onto {id}"], _asked);
        Assert.NotNull(cut.Find($"[data-testid='remove-node-{id}']"));
        // The primaries that own slots offer no removal (they are drained first) and no call to rebalance onto them.
        Assert.Empty(cut.FindAll($"[data-testid='remove-node-{PrimaryId(0)}'], [data-testid='empty-primary-{PrimaryId(0)}']"));
    }

    [Fact]
    public async Task Remove_asks_first_and_once_confirmed_goes_to_the_node_commands_as_the_signed_in_user()
    {
        var cut = RenderPanel();

        var remove = cut.Find($"[data-testid='remove-node-{TestSnapshots.EmptyPrimaryId}']").ClickAsync(new MouseEventArgs());
        await AnswerAsync("Remove 127.0.0.1:7006 (an empty primary) from the cluster? Every other node forgets it, then its process is stopped and its data folder deleted.", "Remove");
        await remove.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal([$"remove {TestSnapshots.EmptyPrimaryId} by alice"], Nodes.Requests);
        await Snackbars.WaitForAssertionAsync(() => Assert.NotNull(SnackbarSaying("Removing 127.0.0.1:7006: done.")));
    }

    [Fact]
    public async Task A_removal_not_confirmed_asks_the_node_commands_nothing()
    {
        var cut = RenderPanel();

        var remove = cut.Find($"[data-testid='remove-node-{ReplicaId(2)}']").ClickAsync(new MouseEventArgs());
        await AnswerAsync("Remove 127.0.0.1:7005 (a replica) from the cluster?", "Cancel");
        await remove.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Empty(Nodes.Requests);
    }

    [Fact]
    public async Task A_refused_removal_is_a_warning_with_the_services_reason()
    {
        Nodes.Error = RequestRefusedException.Conflict("primary 127.0.0.1:7006 still owns 10 slots: drain it first");
        var cut = RenderPanel();

        var remove = cut.Find($"[data-testid='remove-node-{TestSnapshots.EmptyPrimaryId}']").ClickAsync(new MouseEventArgs());
        await AnswerAsync("Remove node?", "Remove");
        await remove.WaitAsync(TimeSpan.FromSeconds(5));

        await Snackbars.WaitForAssertionAsync(() => Assert.Contains("mud-alert-filled-warning",
            SnackbarSaying("Removing 127.0.0.1:7006: refused: primary 127.0.0.1:7006 still owns 10 slots: drain it first").ClassName, StringComparison.Ordinal));
    }

    [Fact]
    public void While_a_plan_runs_drains_and_rebalances_wait_and_removals_do_not()
    {
        var cut = RenderPanel(planRunning: true);

        Assert.True(cut.Find($"[data-testid='drain-node-{PrimaryId(0)}']").HasAttribute("disabled"));
        Assert.True(cut.Find($"[data-testid='rebalance-onto-{TestSnapshots.EmptyPrimaryId}']").HasAttribute("disabled"));
        Assert.False(cut.Find($"[data-testid='remove-node-{ReplicaId(0)}']").HasAttribute("disabled"));
    }

    [Fact]
    public void A_viewer_gets_no_drain_remove_rebalance_or_add_node()
    {
        Nodes.IsAvailable = false;

        var cut = RenderPanel(canOperate: false);

        Assert.Equal(4, cut.FindAll("[data-testid^='node-card-']").Count);
        Assert.Empty(cut.FindAll("[data-testid^='drain-node-'], [data-testid^='remove-node-'], [data-testid^='rebalance-onto-'], [data-testid^='empty-primary-'], [data-testid='add-node']"));
    }

    [Fact]
    public async Task On_an_existing_cluster_drain_and_remove_are_offered_without_stop_or_start_and_removal_resets_the_node()
    {
        Nodes.IsAvailable = false;
        var cut = RenderPanel();

        Assert.Empty(cut.FindAll("[data-testid^='node-stop-'], [data-testid^='node-start-'], [data-testid='add-primary']"));
        Assert.NotNull(cut.Find($"[data-testid='drain-node-{PrimaryId(0)}']"));
        var remove = cut.Find($"[data-testid='remove-node-{ReplicaId(0)}']").ClickAsync(new MouseEventArgs());
        await AnswerAsync("then it is reset (CLUSTER RESET HARD) so that it cannot rejoin", "Remove");
        await remove.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal([$"remove {ReplicaId(0)} by alice"], Nodes.Requests);
    }

    [Fact]
    public async Task Add_node_on_an_existing_cluster_lets_a_node_join_by_endpoint_as_a_primary()
    {
        Nodes.IsAvailable = false;
        var cut = RenderPanel(TestSnapshots.Ok());

        var add = cut.Find("[data-testid='add-node']").ClickAsync(new MouseEventArgs());
        await Dialogs.WaitForAssertionAsync(() => Assert.NotNull(Dialogs.Find("input[data-testid='add-node-endpoint']")));
        Assert.True(Dialogs.Find("[data-testid='add-node-confirm']").HasAttribute("disabled"));
        await Dialogs.Find("input[data-testid='add-node-endpoint']").InputAsync(new ChangeEventArgs { Value = "10.0.0.7:6379" });
        await Dialogs.WaitForAssertionAsync(() => Assert.False(Dialogs.Find("[data-testid='add-node-confirm']").HasAttribute("disabled")));
        await Dialogs.Find("[data-testid='add-node-confirm']").ClickAsync(new MouseEventArgs());
        await add.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(["join 10.0.0.7:6379 primary - by alice"], Nodes.Requests);
        await Snackbars.WaitForAssertionAsync(() => Assert.NotNull(SnackbarSaying("Adding 10.0.0.7:6379 as a primary: done.")));
    }

    [Fact]
    public async Task Add_node_as_a_replica_needs_its_primary_and_sends_it()
    {
        Nodes.IsAvailable = false;
        var cut = RenderPanel(TestSnapshots.Ok());

        var add = cut.Find("[data-testid='add-node']").ClickAsync(new MouseEventArgs());
        await Dialogs.WaitForAssertionAsync(() => Assert.NotNull(Dialogs.Find("input[data-testid='add-node-endpoint']")));
        await Dialogs.Find("input[data-testid='add-node-endpoint']").InputAsync(new ChangeEventArgs { Value = "10.0.0.8:6379" });
        await Dialogs.Find("input[data-testid='add-node-role-replica']").ClickAsync(new MouseEventArgs());
        await Dialogs.WaitForAssertionAsync(() => Assert.NotNull(Dialogs.Find("input[data-testid='add-node-primary']")));
        Assert.True(Dialogs.Find("[data-testid='add-node-confirm']").HasAttribute("disabled"));

        // The dialog's one select: MudBlazor opens it on a press of its input control.
        await Dialogs.Find("div.mud-input-control.mud-select").MouseDownAsync(new MouseEventArgs());
        await Popovers.WaitForAssertionAsync(() => Assert.NotEmpty(Popovers.FindAll(".mud-list-item")));
        await Popovers.FindAll(".mud-list-item").Single(i => i.TextContent.Contains("127.0.0.1:7001", StringComparison.Ordinal)).ClickAsync(new MouseEventArgs());
        await Dialogs.WaitForAssertionAsync(() => Assert.False(Dialogs.Find("[data-testid='add-node-confirm']").HasAttribute("disabled")));
        await Dialogs.Find("[data-testid='add-node-confirm']").ClickAsync(new MouseEventArgs());
        await add.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal([$"join 10.0.0.8:6379 replica {PrimaryId(1)} by alice"], Nodes.Requests);
    }
}
