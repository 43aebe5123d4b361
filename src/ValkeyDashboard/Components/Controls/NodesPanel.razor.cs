using Microsoft.AspNetCore.Components;
using MudBlazor;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Components.Dialogs;
using ValkeyDashboard.Model;

namespace ValkeyDashboard.Components.Controls;

/// <summary>
/// The cluster's nodes: a card per primary, in endpoint order (drop targets for slots), and the node commands an
/// operator may give, carried out by a <see cref="NodeCommandExecutor"/> of this panel's own: on the embedded cluster
/// stop, start and add; on an existing cluster add a node by its endpoint; on both remove a node that holds no slots.
/// Drains and "rebalance onto it" are plans, which the page prepares (<see cref="DrainRequested"/>,
/// <see cref="RebalanceRequested"/>).
/// </summary>
public sealed partial class NodesPanel
{
    private NodeCommandExecutor _executor = null!;

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

    [Inject]
    public required INodeCommands Nodes { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required ILogger<NodeCommandExecutor> Logger { get; init; }

    private bool ManagesNodes => CanOperate && _executor.IsAvailable;

    private IReadOnlySet<string> InFlight => _executor.InFlight;

    protected override void OnInitialized() => _executor = new NodeCommandExecutor(Nodes, Dialogs, Snackbar, Logger);

    private Task StopAsync(string nodeId) => WithNodeAsync(nodeId, node => _executor.StopAsync(node, Actor));

    private Task StartAsync(string nodeId) => WithNodeAsync(nodeId, node => _executor.StartAsync(node, Actor));

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
