using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Audit;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Parsing;
using ValkeyDashboard.Cluster.Plans;
using ValkeyDashboard.Cluster.Text;

namespace ValkeyDashboard.Cluster.Hosting;

/// <summary>
/// What an operator may do to the cluster's nodes. In the embedded cluster: stop and start one, add a primary or a
/// replica (carried out by <see cref="LocalClusterHost"/>). In any cluster: let a running, empty Valkey node join by
/// its endpoint, and remove a node that holds no slots. Each request is checked against the live cluster (a stop that
/// would leave slots without a serving node, or the removal of a primary that still owns slots, is refused) and
/// recorded in the audit log. The UI and the API both use it.
/// </summary>
public sealed class NodeService(
    IOptions<ValkeyOptions> options,
    LocalClusterHost host,
    ClusterMonitor monitor,
    ValkeyAdminClient valkey,
    MigrationRegistry migrations,
    PlanRegistry plans,
    AuditLog audit,
    Restarts.NodeRestarter restarter,
    ILoggerFactory loggers) : INodeCommands
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

    public Task<Restarts.RestartPlan> PreviewRestartAsync(string nodeId, bool failBack, CancellationToken cancellationToken = default) =>
        restarter.PreviewAsync(nodeId, failBack, cancellationToken);

    /// <summary>
    /// Restarts a node without taking a slot offline: a replica in place, a primary through a failover to an in-sync
    /// replica first (<see cref="Restarts.NodeRestarter"/>). Refused while the cluster is not ok, while a migration or
    /// plan moves slots of its shard, or for a primary with no in-sync replica.
    /// </summary>
    public async Task<ClusterNode> RestartAsync(string nodeId, bool failBack, string requestedBy, CancellationToken cancellationToken = default)
    {
        var (_, node) = await audit.RunAsync(requestedBy, AuditActions.NodeRestart, Clip(nodeId),
            () => restarter.RestartAsync(nodeId, failBack, cancellationToken: cancellationToken),
            result => $"{result.Plan.Description}: now {(result.Node.IsPrimary ? "primary" : "replica")} {result.Node.Endpoint}");
        return node;
    }

    /// <summary>Adds an empty primary, or a replica of <paramref name="primaryId"/>; returns its endpoint.</summary>
    public Task<string> AddAsync(string? role, string? primaryId, string requestedBy, CancellationToken cancellationToken = default) =>
        AuditedAsync(requestedBy, AuditActions.NodeAdd, role == "replica" ? $"replica of {primaryId}" : $"{role ?? "(no role)"}", async () =>
        {
            RequireEmbedded();
            RequireRoomForANode();
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

    /// <summary>
    /// Removes a node that holds no slots: its replicas (of a primary) follow another primary first, every other node
    /// forgets it, then an embedded node is stopped and its folder deleted, and an external one is reset so it cannot
    /// rejoin. A primary that still owns slots is refused: drain it first.
    /// </summary>
    public Task RemoveAsync(string nodeId, string requestedBy, CancellationToken cancellationToken = default) =>
        AuditedAsync(requestedBy, AuditActions.NodeRemove, nodeId, async () =>
        {
            var snapshot = await monitor.RefreshTopologyAsync(cancellationToken);
            var node = snapshot.FindNode(nodeId) ?? throw RequestRefusedException.NotFound($"there is no node {Clip(nodeId)} in this cluster");
            if (node.IsPrimary && !node.Slots.IsEmpty)
            {
                throw Conflict($"primary {node.Endpoint} still owns {node.Slots.SlotCount:N0} slots: drain it first (a drain plan moves them where they balance best), then remove it");
            }

            if (migrations.Active.FirstOrDefault(m => m.TargetNodeId == node.Id || m.Jobs.Any(j => j.SourceNodeId == node.Id)) is { } migration)
            {
                throw Conflict($"migration {migration.Id} moves slots to or from {node.Endpoint}; remove it once the migration has ended");
            }

            if (plans.Active.FirstOrDefault(p => p.Moves.Any(m => !m.IsFinished && (m.TargetNodeId == node.Id || m.SourceNodeId == node.Id))) is { } plan)
            {
                throw Conflict($"plan {plan.Id} still moves slots to or from {node.Endpoint}; remove it once the plan has ended");
            }

            var others = snapshot.Nodes.Where(n => n.Id != node.Id).ToList();
            if (others.FirstOrDefault(n => n.Health != NodeHealth.Online) is { } down)
            {
                throw Conflict($"{down.Endpoint} is {down.Health.ToString().ToLowerInvariant()}: every other node must forget {node.Endpoint} at once, or the cluster would learn of it again through gossip");
            }

            var embedded = options.Value.Mode == ValkeyMode.Embedded ? host.FindNode(node.Endpoint) : null;
            if (options.Value.Mode == ValkeyMode.Embedded && embedded is null)
            {
                throw Conflict($"node {node.Endpoint} is not one of the embedded cluster's own processes");
            }

            var moved = new List<string>();
            if (node.IsPrimary)
            {
                foreach (var replica in snapshot.ReplicasOf(node.Id).Where(r => r.Health == NodeHealth.Online))
                {
                    var adopter = snapshot.Primaries.Where(p => p.Id != node.Id && p.Health == NodeHealth.Online && !p.Slots.IsEmpty)
                        .OrderBy(p => snapshot.ReplicasOf(p.Id).Count()).ThenBy(p => p.Endpoint, StringComparer.Ordinal).FirstOrDefault()
                        ?? throw Conflict($"{node.Endpoint} has replica {replica.Endpoint} and no other primary with slots could take it; remove the replica first");
                    await valkey.ClusterReplicateAsync(replica.Endpoint, adopter.Id);
                    moved.Add($"{replica.Endpoint} now replicates {adopter.Endpoint}");
                }
            }

            foreach (var other in others)
            {
                await ForgetAsync(other.Endpoint, node.Id);
            }

            // Still up, the node answers clients with a stale slot map with MOVED (it serves no slot) rather than
            // leaving them a refused connection; then it goes.
            await Task.Delay(options.Value.RemoveGracePeriod, cancellationToken);

            if (embedded is not null)
            {
                await host.RemoveNodeAsync(embedded.Port);
            }
            else
            {
                await valkey.ClusterResetHardAsync(node.Endpoint);
            }

            await Wait.UntilAsync(async ct => (await monitor.RefreshTopologyAsync(ct)).FindNode(node.Id) is null,
                TimeSpan.FromSeconds(30), $"{node.Endpoint} to be gone from the topology", cancellationToken: cancellationToken);
            return $"removed {node.Endpoint}" + (moved.Count == 0 ? string.Empty : $" ({string.Join("; ", moved)})");
        });

    /// <summary>
    /// Lets a running Valkey node join this cluster by its endpoint (a new, empty node: no keys, no slots, in no other
    /// cluster): a member introduces it (<c>CLUSTER MEET</c>), every node must know it, then a replica follows its primary.
    /// </summary>
    public Task<string> JoinAsync(string? endpoint, string? role, string? primaryId, string requestedBy, CancellationToken cancellationToken = default) =>
        AuditedAsync(requestedBy, AuditActions.NodeAdd, $"{Clip(endpoint)} as {role ?? "(no role)"}", async () =>
        {
            if (options.Value.Mode == ValkeyMode.Embedded)
            {
                throw RequestRefusedException.Invalid("the embedded cluster starts its own nodes: leave out endpoint and give only the role");
            }

            RequireRoomForANode();

            if (role is not ("primary" or "replica"))
            {
                throw RequestRefusedException.Invalid($"role must be \"primary\" or \"replica\", got \"{Clip(role)}\"");
            }

            var colon = endpoint?.LastIndexOf(':') ?? -1;
            if (endpoint is null || colon <= 0 ||
                !int.TryParse(endpoint[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw RequestRefusedException.Invalid($"endpoint must be host:port of a running Valkey node, got \"{Clip(endpoint)}\"");
            }

            var snapshot = await monitor.RefreshTopologyAsync(cancellationToken);
            ClusterNode? primary = null;
            if (role == "replica")
            {
                primary = snapshot.FindNode(primaryId ?? string.Empty);
                if (primary is not { IsPrimary: true })
                {
                    throw RequestRefusedException.Invalid($"primaryId must be the id of a primary of this cluster, got \"{Clip(primaryId)}\"");
                }
            }

            if (snapshot.Nodes.Any(n => string.Equals(n.Endpoint, endpoint, StringComparison.OrdinalIgnoreCase)))
            {
                throw Conflict($"{endpoint} is already a node of this cluster");
            }

            var seed = snapshot.Nodes.FirstOrDefault(n => n.Health == NodeHealth.Online) ?? throw Conflict("no node of the cluster is online to introduce the new node");
            var hostName = endpoint[..colon].Trim('[', ']');
            var address = IPAddress.TryParse(hostName, out var ip) ? ip : await ResolveAsync(hostName, cancellationToken);
            string newId;
            await using (var newcomer = new ValkeyAdminClient(new ValkeyConnection(options, new StaticSeeds([endpoint]), loggers.CreateLogger<ValkeyConnection>()), ownsConnection: true))
            {
                InfoReply info;
                try
                {
                    info = await newcomer.ClusterInfoAsync(endpoint);
                    newId = await newcomer.ClusterMyIdAsync(endpoint);
                }
                catch (ValkeyErrorException ex) when (ex.Says("cluster support disabled"))
                {
                    throw RequestRefusedException.Invalid($"{endpoint} does not run in cluster mode (cluster-enabled no)");
                }
                catch (ValkeyException ex)
                {
                    throw Conflict($"{endpoint} is not reachable with the dashboard's credentials: {ex.Message}");
                }

                if (info.GetInt64("cluster_known_nodes") > 1 || info.GetInt64("cluster_slots_assigned") > 0)
                {
                    throw Conflict($"{endpoint} already belongs to a cluster ({info.GetInt64("cluster_known_nodes")} nodes known, {info.GetInt64("cluster_slots_assigned")} slots assigned); only a new, empty node can join");
                }

                var keys = await newcomer.DbSizeAsync(endpoint);
                if (keys > 0)
                {
                    throw Conflict($"{endpoint} holds {keys:N0} keys; only an empty node can join (its keys would be in slots the cluster does not route to it)");
                }
            }

            await valkey.ClusterMeetAsync(seed.Endpoint, address.ToString(), port);
            var expected = snapshot.Nodes.Length + 1;
            await Wait.UntilAsync(
                async ct =>
                {
                    var now = await monitor.RefreshTopologyAsync(ct);
                    return now.FindNode(newId) is not null &&
                        (await Task.WhenAll(now.Nodes.Where(n => n.Health == NodeHealth.Online).Select(n => valkey.ClusterInfoAsync(n.Endpoint))))
                            .All(i => i.GetInt64("cluster_known_nodes") >= expected);
                },
                TimeSpan.FromSeconds(30), $"every node to know {endpoint}", cancellationToken: cancellationToken);
            await Wait.UntilAsync(
                async _ => (await valkey.ClusterInfoAsync(endpoint))["cluster_state"] == "ok",
                TimeSpan.FromSeconds(30), $"{endpoint} to see the cluster as ok", cancellationToken: cancellationToken);
            if (primary is not null)
            {
                await Wait.UntilAsync(
                    async _ =>
                    {
                        await valkey.ClusterReplicateAsync(endpoint, primary.Id);
                        return true;
                    },
                    TimeSpan.FromSeconds(30), $"{endpoint} to replicate {primary.Endpoint}", cancellationToken: cancellationToken);
            }

            await monitor.RefreshTopologyAsync(cancellationToken);
            return endpoint;
        });

    private async Task ForgetAsync(string endpoint, string nodeId)
    {
        try
        {
            await valkey.ClusterForgetAsync(endpoint, nodeId);
        }
        catch (ValkeyErrorException ex) when (ex.Says("Unknown node"))
        {
            // Already forgotten.
        }
    }

    private static async Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
            return addresses.FirstOrDefault() ?? throw RequestRefusedException.Invalid($"{host} has no address");
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw RequestRefusedException.Invalid($"{host} cannot be resolved: {ex.Message}");
        }
    }

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

    /// <summary>Refuses an add or join once the cluster has <see cref="ValkeyOptions.MaxNodes"/> nodes.</summary>
    private void RequireRoomForANode()
    {
        var nodes = monitor.Current.Nodes.Length;
        if (nodes >= options.Value.MaxNodes)
        {
            throw RequestRefusedException.Conflict($"the cluster has {nodes} nodes, at most Valkey:MaxNodes ({options.Value.MaxNodes}); remove a node first");
        }
    }
}
