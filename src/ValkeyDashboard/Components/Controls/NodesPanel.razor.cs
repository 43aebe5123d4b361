using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using MudBlazor;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Restarts;
using ValkeyDashboard.Components.Dialogs;
using ValkeyDashboard.Model;

namespace ValkeyDashboard.Components.Controls;

/// <summary>
/// The cluster's nodes: a card per primary, in endpoint order (drop targets for slots), and the node commands an
/// operator may give, carried out by a <see cref="NodeCommandExecutor"/> of this panel's own: on the embedded cluster
/// stop, start, restart (after a confirmation that says what happens) and add, and a rolling restart of every node; on
/// an existing cluster add a node by its endpoint; on both remove a node that holds no slots. Drains and "rebalance onto
/// it" are plans, which the page prepares (<see cref="DrainRequested"/>, <see cref="RebalanceRequested"/>); the rolling
/// restart, once started, is the page's to show (<see cref="RollingRestartStarted"/>).
/// </summary>
public sealed partial class NodesPanel
{
    private NodeCommandExecutor _executor = null!;
    private NodesView? _chosenView;
    private string? _openNodeId;
    private string? _filter;

    /// <summary>The cluster to show.</summary>
    [Parameter, EditorRequired]
    public required ClusterSnapshot Snapshot { get; set; }

    /// <summary>The signed-in user is an operator: cards accept drops and, on the embedded cluster, offer node commands.</summary>
    [Parameter]
    public bool CanOperate { get; set; }

    /// <summary>Who asks, for the audit log.</summary>
    [Parameter, EditorRequired]
    public required string Actor { get; set; }

    /// <summary>A plan runs: drains and rebalances wait for it.</summary>
    [Parameter]
    public bool PlanRunning { get; set; }

    /// <summary>The operator asked to drain the primary with this id.</summary>
    [Parameter]
    public EventCallback<string> DrainRequested { get; set; }

    /// <summary>The operator asked to rebalance the cluster onto the empty primary with this id.</summary>
    [Parameter]
    public EventCallback<string> RebalanceRequested { get; set; }

    /// <summary>A rolling restart runs or is paused: no other starts, and single restarts wait for it.</summary>
    [Parameter]
    public bool RollingRestartActive { get; set; }

    /// <summary>The operator started this rolling restart from the panel.</summary>
    [Parameter]
    public EventCallback<RollingRestart> RollingRestartStarted { get; set; }

    /// <summary>The embedded cluster's process of a node by endpoint (adopted, drift), or none (External mode).</summary>
    [Parameter]
    public Func<string, NodeProcess?>? ProcessOf { get; set; }

    [Inject]
    public required INodeCommands Nodes { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required ILogger<NodeCommandExecutor> Logger { get; init; }

    [Inject]
    public required IOptions<DashboardOptions> Options { get; init; }

    /// <summary>
    /// Cards or the table: what the user chose on this page, else the table when the cluster has more primaries than
    /// <see cref="DashboardOptions.NodeTableAbovePrimaries"/>.
    /// </summary>
    public NodesView View => _chosenView
        ?? (Snapshot.Primaries.Count() > Options.Value.NodeTableAbovePrimaries ? NodesView.Table : NodesView.Cards);

    private void ViewChanged(NodesView view) => _chosenView = view;

    private void OpenCard(string primaryId) => _openNodeId = primaryId;

    private void CloseCard() => _openNodeId = null;

    private bool ManagesNodes => CanOperate && _executor.IsAvailable;

    private IReadOnlySet<string> InFlight => _executor.InFlight;

    protected override void OnInitialized() => _executor = new NodeCommandExecutor(Nodes, Dialogs, Snackbar, Logger);

    private Task StopAsync(string nodeId) => WithNodeAsync(nodeId, node => _executor.StopAsync(node, Actor));

    private Task StartAsync(string nodeId) => WithNodeAsync(nodeId, node => _executor.StartAsync(node, Actor));

    /// <summary>Shows what restarting the node does (which replica a primary fails over to) and, once confirmed, restarts it.</summary>
    private Task RestartAsync(string nodeId) => WithNodeAsync(nodeId, async node =>
    {
        if (RollingRestartActive)
        {
            return;
        }

        var parameters = new DialogParameters<NodeRestartDialog> { { d => d.Node, node } };
        var dialog = await Dialogs.ShowAsync<NodeRestartDialog>($"Restart {node.Endpoint}", parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, CloseOnEscapeKey = true });
        if (await dialog.Result is { Canceled: false, Data: bool failBack })
        {
            // The card shows the node busy from now until it is back (the event's own render comes only at the end).
            var restart = _executor.RestartAsync(node, failBack, Actor);
            StateHasChanged();
            await restart;
        }
    });

    /// <summary>Lists the steps of a rolling restart of every node and, once the operator starts it, hands it to the page.</summary>
    private async Task RollingRestartAsync()
    {
        if (!ManagesNodes || RollingRestartActive)
        {
            return;
        }

        var parameters = new DialogParameters<RollingRestartDialog> { { d => d.RequestedBy, Actor } };
        var dialog = await Dialogs.ShowAsync<RollingRestartDialog>("Rolling restart", parameters, new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseOnEscapeKey = true });
        if (await dialog.Result is { Canceled: false, Data: RollingRestart started })
        {
            Snackbar.Add($"Rolling restart {DisplayFormat.ShortRecordId(started.Id)} started: {started.Steps.Length} node(s), one at a time.", Severity.Success);
            await RollingRestartStarted.InvokeAsync(started);
        }
    }

    private Task AddReplicaAsync(string primaryId) => WithNodeAsync(primaryId, primary => _executor.AddReplicaAsync(primary, Actor));

    private Task AddPrimaryAsync() => ManagesNodes ? _executor.AddPrimaryAsync(Actor) : Task.CompletedTask;

    private Task DrainAsync(string nodeId) => CanOperate ? DrainRequested.InvokeAsync(nodeId) : Task.CompletedTask;

    private Task RebalanceAsync(string nodeId) => CanOperate ? RebalanceRequested.InvokeAsync(nodeId) : Task.CompletedTask;

    private Task RemoveAsync(string nodeId) =>
        CanOperate && Snapshot.FindNode(nodeId) is { } node ? _executor.RemoveAsync(node, Actor, embedded: _executor.IsAvailable) : Task.CompletedTask;

    /// <summary>Asks for the endpoint and role of a running, empty Valkey node, then lets it join (an existing cluster).</summary>
    private async Task AddNodeAsync()
    {
        if (!CanOperate || _executor.IsAvailable)
        {
            return;
        }

        var parameters = new DialogParameters<AddNodeDialog> { { d => d.Primaries, [.. Snapshot.Primaries.OrderBy(p => p.Endpoint, StringComparer.Ordinal)] } };
        var dialog = await Dialogs.ShowAsync<AddNodeDialog>("Add a node", parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, CloseOnEscapeKey = true });
        if (await dialog.Result is { Canceled: false, Data: AddNodeRequest request })
        {
            await _executor.JoinAsync(request.Endpoint, request.Role, request.PrimaryId, Actor);
        }
    }

    /// <summary>Runs a command on a node the page shows; a viewer, or a node gone from the cluster meanwhile, gets none.</summary>
    private Task WithNodeAsync(string nodeId, Func<ClusterNode, Task> command) =>
        ManagesNodes && Snapshot.FindNode(nodeId) is { } node ? command(node) : Task.CompletedTask;
}

/// <summary>How the nodes panel lists primaries.</summary>
public enum NodesView
{
    /// <summary>A card per primary with its replicas, figures and commands.</summary>
    Cards = 0,

    /// <summary>A compact row per primary (<see cref="NodeTable"/>), each card on demand.</summary>
    Table = 1,
}
