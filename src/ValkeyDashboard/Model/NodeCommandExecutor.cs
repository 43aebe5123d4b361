using MudBlazor;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Model;

/// <summary>
/// Runs one page's node commands (stop, start, restart, add a replica or a primary, let a node join by its endpoint,
/// remove a node) the way the Aspire Dashboard's <c>DashboardCommandExecutor</c> runs resource commands: asks before a stop or
/// a removal, says that a command started, keeps
/// track of the commands in flight (a second click on one of them starts nothing) and reports how each ended in the
/// snackbar: done, refused with the reason (a warning: nothing changed), or failed (an error, logged). The checks and
/// the audit are <see cref="INodeCommands"/>'s.
/// </summary>
public sealed class NodeCommandExecutor(INodeCommands nodes, IDialogService dialogs, ISnackbar snackbar, ILogger<NodeCommandExecutor> logger)
{
    /// <summary>What a new primary's command is tracked by while in flight (node commands are tracked by node id).</summary>
    public const string NewPrimary = "new primary";

    /// <summary>What a join by endpoint is tracked by while in flight.</summary>
    public const string NewNode = "new node";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _inFlight = new(StringComparer.Ordinal);

    /// <summary>False where node processes cannot be managed (External mode): the page shows no stop, start or add controls (joining, draining and removing work in both modes).</summary>
    public bool IsAvailable => nodes.IsAvailable;

    /// <summary>The nodes (by id, or <see cref="NewPrimary"/>) with a command in flight.</summary>
    public IReadOnlySet<string> InFlight
    {
        get
        {
            lock (_gate)
            {
                return new HashSet<string>(_inFlight.Keys, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>What each command in flight does ("Restarting 127.0.0.1:7003"), by the node (or <see cref="NewPrimary"/>) it is tracked by.</summary>
    public IReadOnlyDictionary<string, string> Activities
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, string>(_inFlight, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Stops <paramref name="node"/> once the user confirmed.</summary>
    public async Task StopAsync(ClusterNode node, string requestedBy)
    {
        var confirmed = await dialogs.ShowMessageBoxAsync(
            "Stop node?",
            $"Stop {node.Endpoint}? It is stopped gracefully; {(node.IsPrimary ? "its replica takes over its slots" : "its primary keeps serving")}. You can start it again here.",
            yesText: "Stop",
            cancelText: "Cancel");
        if (confirmed == true)
        {
            await RunAsync(node.Id, $"Stopping {node.Endpoint}", () => nodes.StopAsync(node.Id, requestedBy));
        }
    }

    /// <summary>Starts the stopped <paramref name="node"/> again.</summary>
    public Task StartAsync(ClusterNode node, string requestedBy) =>
        RunAsync(node.Id, $"Starting {node.Endpoint}", () => nodes.StartAsync(node.Id, requestedBy));

    /// <summary>
    /// Restarts <paramref name="node"/> as the user confirmed it (the confirmation showed the plan); the command ends, and
    /// the node stops being busy, once the node is back.
    /// </summary>
    public Task RestartAsync(ClusterNode node, bool failBack, string requestedBy) =>
        RunAsync(node.Id, $"Restarting {node.Endpoint}", () => nodes.RestartAsync(node.Id, failBack, requestedBy));

    /// <summary>Adds a replica of <paramref name="primary"/>.</summary>
    public Task AddReplicaAsync(ClusterNode primary, string requestedBy) =>
        RunAsync(primary.Id, $"Adding a replica of {primary.Endpoint}", () => nodes.AddAsync("replica", primary.Id, requestedBy));

    /// <summary>Adds an empty primary.</summary>
    public Task AddPrimaryAsync(string requestedBy) =>
        RunAsync(NewPrimary, "Adding an empty primary", () => nodes.AddAsync("primary", null, requestedBy));

    /// <summary>Lets the running, empty Valkey node at <paramref name="endpoint"/> join as a primary or a replica of <paramref name="primaryId"/> (External mode).</summary>
    public Task JoinAsync(string endpoint, string role, string? primaryId, string requestedBy) =>
        RunAsync(NewNode, $"Adding {endpoint} as a {role}", () => nodes.JoinAsync(endpoint, role, primaryId, requestedBy));

    /// <summary>Removes <paramref name="node"/> (which must hold no slots) from the cluster once the user confirmed.</summary>
    /// <param name="node">The node.</param>
    /// <param name="requestedBy">Who asks.</param>
    /// <param name="embedded">The node is one of the embedded cluster's processes (stopped and deleted) rather than an external one (reset).</param>
    public async Task RemoveAsync(ClusterNode node, string requestedBy, bool embedded)
    {
        var then = embedded
            ? "its process is stopped and its data folder deleted"
            : "it is reset (CLUSTER RESET HARD) so that it cannot rejoin; its process keeps running";
        var confirmed = await dialogs.ShowMessageBoxAsync(
            "Remove node?",
            $"Remove {node.Endpoint} ({(node.IsPrimary ? "an empty primary" : "a replica")}) from the cluster? Every other node forgets it, then {then}. This cannot be undone.",
            yesText: "Remove",
            cancelText: "Cancel");
        if (confirmed == true)
        {
            await RunAsync(node.Id, $"Removing {node.Endpoint}", () => nodes.RemoveAsync(node.Id, requestedBy));
        }
    }

    private async Task RunAsync(string subject, string what, Func<Task> command)
    {
        lock (_gate)
        {
            if (!_inFlight.TryAdd(subject, what))
            {
                return;
            }
        }

        snackbar.Add($"{what}…", Severity.Info);
        try
        {
            await command();
            snackbar.Add($"{what}: done.", Severity.Success);
        }
        catch (RequestRefusedException ex)
        {
            snackbar.Add($"{what}: refused: {ex.Message}", Severity.Warning);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "{What} failed", what);
            snackbar.Add($"{what}: failed: {ex.Message}", Severity.Error);
        }
        finally
        {
            lock (_gate)
            {
                _inFlight.Remove(subject);
            }
        }
    }
}
