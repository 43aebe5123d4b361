using System.Globalization;
using Microsoft.Extensions.Logging;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Hosting;

public sealed partial class LocalClusterHost
{
    /// <summary>
    /// Forms a new cluster from freshly started nodes: every node meets the first, the primaries
    /// get the 16,384 slots in even contiguous ranges, each replica follows its primary.
    /// </summary>
    private async Task FormClusterAsync(CancellationToken cancellationToken)
    {
        var nodes = Nodes;
        var primaries = _layout!.Nodes.Where(n => n.Role == ClusterLayout.InitialRole.Primary).Select(n => NodeAt(n.Port)).ToList();
        var replicas = _layout.Nodes.Where(n => n.Role == ClusterLayout.InitialRole.Replica).Select(n => NodeAt(n.Port)).ToList();
        await using var valkey = CreateAdminClient(nodes);
        var timeout = Embedded.StartupTimeout;

        foreach (var node in nodes.Skip(1))
        {
            await valkey.ClusterMeetAsync(node.Endpoint, "127.0.0.1", nodes[0].Port);
        }

        await Wait.UntilAsync(
            async _ => await AllKnowAsync(valkey, nodes, nodes.Length),
            timeout, $"all {nodes.Length} nodes to know each other", cancellationToken: cancellationToken);

        for (var i = 0; i < primaries.Count; i++)
        {
            var range = EvenShare(i, primaries.Count);
            await valkey.ClusterAddSlotsRangeAsync(primaries[i].Endpoint, range);
        }

        var primaryIds = new List<string>();
        foreach (var primary in primaries)
        {
            primaryIds.Add(await valkey.ClusterMyIdAsync(primary.Endpoint));
        }

        // A replica can follow a primary only once it has learned that the primary is one (gossip), so retry until accepted.
        for (var i = 0; i < replicas.Count; i++)
        {
            var replica = replicas[i];
            var primaryId = primaryIds[i % primaryIds.Count];
            await Wait.UntilAsync(
                async _ =>
                {
                    await valkey.ClusterReplicateAsync(replica.Endpoint, primaryId);
                    return true;
                },
                timeout, $"{replica.Endpoint} to replicate {primaryId}", cancellationToken: cancellationToken);
        }

        await WaitForClusterOkAsync(nodes, cancellationToken: cancellationToken);
    }

    /// <summary>Slots of primary <paramref name="index"/> of <paramref name="count"/>: 0-5460, 5461-10922, 10923-16383 for three.</summary>
    internal static SlotRange EvenShare(int index, int count) =>
        new(index * SlotRange.SlotCount / count, ((index + 1) * SlotRange.SlotCount / count) - 1);

    /// <summary>
    /// Waits until every node says <c>cluster_state:ok</c>, knows every other node, and
    /// <c>CLUSTER SHARDS</c> shows every node online with all slots served.
    /// </summary>
    private async Task WaitForClusterOkAsync(IReadOnlyList<LocalNode> nodes, CancellationToken cancellationToken)
    {
        await using var valkey = CreateAdminClient(nodes);
        await Wait.UntilAsync(
            async _ =>
            {
                foreach (var node in nodes)
                {
                    var info = await valkey.ClusterInfoAsync(node.Endpoint);
                    if (info["cluster_state"] != "ok" || info.GetInt64("cluster_known_nodes") != nodes.Count)
                    {
                        return false;
                    }
                }

                var shards = await valkey.ClusterShardsAsync(nodes[0].Endpoint);
                var allOnline = shards.SelectMany(s => s.Nodes).Count(n => n.Health == NodeHealth.Online) == nodes.Count;
                return allOnline && shards.Sum(s => s.Slots.SlotCount) == SlotRange.SlotCount;
            },
            Embedded.StartupTimeout,
            $"cluster_state:ok with all {nodes.Count} nodes online",
            cancellationToken: cancellationToken);
    }

    private static async Task<bool> AllKnowAsync(ValkeyAdminClient valkey, IEnumerable<LocalNode> nodes, int expected)
    {
        foreach (var node in nodes)
        {
            var info = await valkey.ClusterInfoAsync(node.Endpoint);
            if (info.GetInt64("cluster_known_nodes") != expected)
            {
                return false;
            }
        }

        return true;
    }

    private LocalNode NodeAt(int port) =>
        Nodes.FirstOrDefault(n => n.Port == port) ?? throw new ArgumentException($"no embedded node on port {port.ToString(CultureInfo.InvariantCulture)}", nameof(port));
}
