using Microsoft.AspNetCore.Components;
using MudBlazor;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Model;

namespace ValkeyDashboard.Components.Controls;

/// <summary>
/// The cluster's nodes: a card per primary, in endpoint order (drop targets for slots), and the node commands an
/// operator may give on the embedded cluster, carried out by a <see cref="NodeCommandExecutor"/> of this panel's own.
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

    /// <summary>Runs a command on a node the page shows; a viewer, or a node gone from the cluster meanwhile, gets none.</summary>
    private Task WithNodeAsync(string nodeId, Func<ClusterNode, Task> command) =>
        ManagesNodes && Snapshot.FindNode(nodeId) is { } node ? command(node) : Task.CompletedTask;
}
