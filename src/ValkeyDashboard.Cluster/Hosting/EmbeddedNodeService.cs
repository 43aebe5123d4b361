using System.Globalization;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Audit;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Text;

namespace ValkeyDashboard.Cluster.Hosting;

/// <summary>
/// What an operator may do to the embedded cluster's nodes: stop and start one, add a primary or a replica. Each
/// request is checked against the live cluster (a stop that would leave slots without a serving node is refused),
/// carried out by <see cref="LocalClusterHost"/>, and recorded in the audit log. The UI and the API both use it.
/// </summary>
public sealed class EmbeddedNodeService(IOptions<ValkeyOptions> options, LocalClusterHost host, ClusterMonitor monitor, AuditLog audit) : INodeCommands
{
    public bool IsAvailable => options.Value.Mode == ValkeyMode.Embedded;

    /// <summary>Stops a node gracefully (it shows failed, and a primary's replica takes over).</summary>
    public Task StopAsync(string nodeId, string requestedBy, CancellationToken cancellationToken = default) =>
        AuditedAsync(requestedBy, AuditActions.NodeStop, nodeId, async () =>
        {
            var (node, port) = await FindAsync(nodeId, cancellationToken);
            if (node.Health != NodeHealth.Online)
            {
                throw Conflict($"node {node.Endpoint} is {node.Health.ToString().ToLowerInvariant()}, not running");
            }

            var snapshot = monitor.Current;
            if (node.IsPrimary && !node.Slots.IsEmpty && !snapshot.ReplicasOf(node.Id).Any(r => r.Health == NodeHealth.Online))
            {
                throw Conflict($"primary {node.Endpoint} serves {node.Slots.SlotCount:N0} slots and has no online replica to take over: stopping it would make them unavailable. Move its slots first or add a replica");
            }

            await host.StopNodeAsync(port);
            await monitor.RefreshTopologyAsync(cancellationToken);
            return $"stopped {node.Endpoint}";
        });

    /// <summary>Starts a stopped node again from its data; it rejoins the cluster (a former primary as a replica if it was replaced).</summary>
    public Task StartAsync(string nodeId, string requestedBy, CancellationToken cancellationToken = default) =>
        AuditedAsync(requestedBy, AuditActions.NodeStart, nodeId, async () =>
        {
            var (node, port) = await FindAsync(nodeId, cancellationToken);
            if (host.Nodes.Single(n => n.Port == port).IsRunning)
            {
                throw Conflict($"node {node.Endpoint} is already running");
            }

            await host.StartNodeAsync(port, cancellationToken);
            await monitor.RefreshTopologyAsync(cancellationToken);
            return $"started {node.Endpoint}";
        });

    /// <summary>Adds an empty primary, or a replica of <paramref name="primaryId"/>; returns its endpoint.</summary>
    public Task<string> AddAsync(string? role, string? primaryId, string requestedBy, CancellationToken cancellationToken = default) =>
        AuditedAsync(requestedBy, AuditActions.NodeAdd, role == "replica" ? $"replica of {primaryId}" : $"{role ?? "(no role)"}", async () =>
        {
            RequireEmbedded();
            LocalNode added;
            if (role == "primary")
            {
                added = await host.AddPrimaryAsync(cancellationToken);
            }
            else if (role == "replica")
            {
                var primary = monitor.Current.FindNode(primaryId ?? string.Empty);
                if (primary is not { IsPrimary: true })
                {
                    throw RequestRefusedException.Invalid($"primaryId must be the id of a primary of this cluster, got \"{Clip(primaryId)}\"");
                }

                added = await host.AddReplicaAsync(primary.Id, cancellationToken);
            }
            else
            {
                throw RequestRefusedException.Invalid($"role must be \"primary\" or \"replica\", got \"{Clip(role)}\"");
            }

            await monitor.RefreshTopologyAsync(cancellationToken);
            return added.Endpoint;
        });

    private async Task<(ClusterNode Node, int Port)> FindAsync(string nodeId, CancellationToken cancellationToken)
    {
        RequireEmbedded();
        var snapshot = monitor.Current.FindNode(nodeId) is null ? await monitor.RefreshTopologyAsync(cancellationToken) : monitor.Current;
        var node = snapshot.FindNode(nodeId)
            ?? throw RequestRefusedException.NotFound($"there is no node {Clip(nodeId)} in this cluster");
        var port = int.Parse(node.Endpoint[(node.Endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
        if (host.Nodes.All(n => n.Port != port))
        {
            throw Conflict($"node {node.Endpoint} is not one of the embedded cluster's own processes");
        }

        return (node, port);
    }

    private void RequireEmbedded()
    {
        if (!IsAvailable)
        {
            throw Conflict("the dashboard starts and stops nodes only of its embedded cluster; in External mode the cluster's own tooling does");
        }
    }

    /// <summary>Runs a change through the audit log: accepted with its result, refused with the reason, or failed.</summary>
    private Task<T> AuditedAsync<T>(string actor, string action, string subject, Func<Task<T>> change) =>
        audit.RunAsync(actor, action, Clip(subject), change, result => result as string);

    private static RequestRefusedException Conflict(string message) => RequestRefusedException.Conflict(message);

    private static string Clip(string? text) => ErrorText.Clip(text, 100, "(none)");
}
