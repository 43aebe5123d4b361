using Microsoft.Extensions.Logging;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Hosting;

public sealed partial class LocalClusterHost
{
    /// <summary>Stops one node gracefully; the cluster marks it failed after <c>cluster-node-timeout</c>.</summary>
    public async Task StopNodeAsync(int port)
    {
        await _lock.WaitAsync();
        try
        {
            await NodeAt(port).StopAsync(StopTimeout);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Starts a stopped node again from its data folder and waits until it accepts connections.</summary>
    public async Task StartNodeAsync(int port, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await StartNodesAsync([NodeAt(port)], cancellationToken: cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task RestartNodeAsync(int port, CancellationToken cancellationToken = default)
    {
        await StopNodeAsync(port);
        await StartNodeAsync(port, cancellationToken: cancellationToken);
    }

    /// <summary>Kills one node with SIGKILL, as a crash would (for fault tests).</summary>
    public void KillNode(int port) => NodeAt(port).Kill();

    /// <summary>Adds an empty primary (no slots) on the next free port; returns it once every node knows it.</summary>
    public Task<LocalNode> AddPrimaryAsync(CancellationToken cancellationToken = default) =>
        AddNodeAsync(ClusterLayout.InitialRole.Primary, primaryId: null, cancellationToken: cancellationToken);

    /// <summary>Adds a replica of <paramref name="primaryId"/> on the next free port; returns it once it is online.</summary>
    public Task<LocalNode> AddReplicaAsync(string primaryId, CancellationToken cancellationToken = default) =>
        AddNodeAsync(ClusterLayout.InitialRole.Replica, primaryId, cancellationToken: cancellationToken);

    private async Task<LocalNode> AddNodeAsync(ClusterLayout.InitialRole role, string? primaryId, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var existing = Nodes;
            var seed = existing.FirstOrDefault(n => n.IsRunning)
                ?? throw new InvalidOperationException("no node of the embedded cluster is running, so a new node cannot join");
            var node = new LocalNode(existing.Max(n => n.Port) + 1, DataDirectory, _loggerFactory.CreateLogger<LocalNode>());
            if (Directory.Exists(node.Directory))
            {
                // Left over from a node that was never recorded in the layout.
                Directory.Delete(node.Directory, recursive: true);
            }

            await StartNodesAsync([node], cancellationToken: cancellationToken);
            lock (_nodes)
            {
                _nodes.Add(node);
            }

            var all = Nodes;
            await using var valkey = CreateAdminClient(all.Where(n => n.IsRunning));
            try
            {
                if (primaryId is not null)
                {
                    var shards = await valkey.ClusterShardsAsync(seed.Endpoint);
                    if (!shards.Any(s => s.Primary?.Id == primaryId))
                    {
                        throw new ArgumentException($"node {primaryId} is not a primary of this cluster", nameof(primaryId));
                    }
                }

                await valkey.ClusterMeetAsync(seed.Endpoint, "127.0.0.1", node.Port);
                var running = all.Where(n => n.IsRunning).ToList();
                await Wait.UntilAsync(
                    async _ => await AllKnowAsync(valkey, running, all.Length),
                    Embedded.StartupTimeout, $"every node to know the new node {node.Endpoint}", cancellationToken: cancellationToken);
                await Wait.UntilAsync(
                    async _ => (await valkey.ClusterInfoAsync(node.Endpoint))["cluster_state"] == "ok",
                    Embedded.StartupTimeout, $"the new node {node.Endpoint} to see the cluster as ok", cancellationToken: cancellationToken);

                if (primaryId is not null)
                {
                    await Wait.UntilAsync(
                        async _ =>
                        {
                            await valkey.ClusterReplicateAsync(node.Endpoint, primaryId);
                            return true;
                        },
                        Embedded.StartupTimeout, $"{node.Endpoint} to replicate {primaryId}", cancellationToken: cancellationToken);
                    await Wait.UntilAsync(
                        async _ => (await valkey.ClusterShardsAsync(seed.Endpoint))
                            .SelectMany(s => s.Nodes)
                            .Any(n => n.Endpoint == node.Endpoint && n.Role == NodeRole.Replica && n.Health == NodeHealth.Online),
                        Embedded.StartupTimeout, $"{node.Endpoint} to be an online replica", cancellationToken: cancellationToken);
                }
            }
            catch
            {
                // Leave nothing half-added: the node is stopped, forgotten and its folder removed.
                await node.StopAsync(StopTimeout);
                lock (_nodes)
                {
                    _nodes.Remove(node);
                }

                await ForgetAsync(valkey, all.Where(n => n != node && n.IsRunning), node);
                Directory.Delete(node.Directory, recursive: true);
                throw;
            }

            _layout!.Nodes.Add(new ClusterLayout.Node(node.Port, role, node.ReadOwnId()));
            _layout.Save(DataDirectory);
            _logger.LogInformation("Added {Role} {Endpoint} to the embedded cluster", role, node.Endpoint);
            return node;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Takes a node out of the embedded cluster for good: stops its process, deletes its folder and drops it from the
    /// layout (the caller has already made every other node forget it).
    /// </summary>
    public async Task RemoveNodeAsync(int port)
    {
        await _lock.WaitAsync();
        try
        {
            var node = NodeAt(port);
            await node.StopAsync(StopTimeout);
            lock (_nodes)
            {
                _nodes.Remove(node);
            }

            if (Directory.Exists(node.Directory))
            {
                Directory.Delete(node.Directory, recursive: true);
            }

            _layout!.Nodes.RemoveAll(n => n.Port == port);
            _layout.Save(DataDirectory);
            _logger.LogInformation("Removed {Endpoint} from the embedded cluster", node.Endpoint);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task ForgetAsync(ValkeyAdminClient valkey, IEnumerable<LocalNode> others, LocalNode removed)
    {
        string? id = null;
        foreach (var other in others)
        {
            try
            {
                if (id is null)
                {
                    var shards = await valkey.ClusterShardsAsync(other.Endpoint);
                    id = shards.SelectMany(s => s.Nodes).FirstOrDefault(n => n.Endpoint == removed.Endpoint)?.Id;
                    if (id is null)
                    {
                        return;
                    }
                }

                await valkey.ClusterForgetAsync(other.Endpoint, id);
            }
            catch (ValkeyException ex)
            {
                _logger.LogWarning(ex, "Could not make {Endpoint} forget the half-added node {Removed}", other.Endpoint, removed.Endpoint);
            }
        }
    }
}
