using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Cluster.Monitoring;

/// <summary>What one poll learned about one node: its INFO, or why it did not answer.</summary>
public sealed record NodeProbe(InfoReply? Info, string? Error);

/// <summary>Turns the replies of one poll into a <see cref="ClusterSnapshot"/>. Pure: no I/O.</summary>
public static class ClusterSnapshotBuilder
{
    /// <param name="shards">Parsed <c>CLUSTER SHARDS</c>.</param>
    /// <param name="clusterInfo">Parsed <c>CLUSTER INFO</c> of the node that answered SHARDS.</param>
    /// <param name="probes">Per node id, its INFO or the error that came instead; a missing id counts as not answering.</param>
    /// <param name="slotStats">
    /// Per primary id, its parsed <c>CLUSTER SLOT-STATS</c> (or, on a server without it, its key counts swept with
    /// <c>CLUSTER COUNTKEYSINSLOT</c>); missing where it did not answer.
    /// </param>
    /// <param name="reportsLoad">
    /// Per node id, whether its slot statistics carry CPU and network (<c>cluster-slot-stats-enabled</c>), where known:
    /// a node that says no loses <see cref="NodeCapabilities.SlotStatsLoad"/>.
    /// </param>
    public static ClusterSnapshot Build(
        ImmutableArray<ShardInfo> shards,
        InfoReply clusterInfo,
        IReadOnlyDictionary<string, NodeProbe> probes,
        IReadOnlyDictionary<string, List<SlotStatsEntry>> slotStats,
        DateTimeOffset timestamp,
        long version,
        IReadOnlyDictionary<string, bool>? reportsLoad = null)
    {
        reportsLoad ??= new Dictionary<string, bool>();
        var nodes = ImmutableArray.CreateBuilder<ClusterNode>();
        var owners = new string?[SlotRange.SlotCount];

        // Primaries ordered by their first slot (empty primaries last), each shard's replicas after all primaries.
        var ordered = shards.OrderBy(s => s.Slots.IsEmpty ? int.MaxValue : s.Slots.Ranges[0].Start).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
        foreach (var shard in ordered)
        {
            var primary = shard.Primary;
            if (primary is null)
            {
                continue;
            }

            foreach (var range in shard.Slots)
            {
                Array.Fill(owners, primary.Id, range.Start, range.Count);
            }

            var replicaIds = shard.Nodes.Where(n => n.Role == NodeRole.Replica).Select(n => n.Id).ToImmutableArray();
            nodes.Add(ToNode(shard, primary, primaryId: null, probes, reportsLoad) with { ReplicaIds = replicaIds });
        }

        // A primary that lost its shard to a failover (listed as primary, failed) is shown without slots until it rejoins as a replica.
        foreach (var shard in ordered)
        {
            foreach (var former in shard.FormerPrimaries)
            {
                nodes.Add(ToNode(shard, former, primaryId: null, probes, reportsLoad) with { Slots = SlotRangeSet.Empty });
            }
        }

        foreach (var shard in ordered)
        {
            foreach (var replica in shard.Nodes.Where(n => n.Role == NodeRole.Replica).OrderBy(n => n.Port))
            {
                nodes.Add(ToNode(shard, replica, shard.Primary?.Id, probes, reportsLoad));
            }
        }

        var state = clusterInfo["cluster_state"] switch
        {
            "ok" => ClusterState.Ok,
            _ => ClusterState.Fail,
        };

        return new ClusterSnapshot
        {
            State = state,
            SlotsAssigned = (int)(clusterInfo.GetInt64("cluster_slots_assigned") ?? owners.Count(o => o is not null)),
            SlotsOk = (int)(clusterInfo.GetInt64("cluster_slots_ok") ?? 0),
            SlotsFailed = (int)(clusterInfo.GetInt64("cluster_slots_fail") ?? 0),
            Nodes = nodes.ToImmutable(),
            SlotOwners = [.. owners],
            SlotStatistics = MergeSlotStats(slotStats),
            Timestamp = timestamp,
            Version = version,
        };
    }

    /// <summary>
    /// The snapshot when no node answered: the last known nodes, all failed, so the page keeps
    /// showing what the cluster looked like and says that it cannot be reached.
    /// </summary>
    public static ClusterSnapshot Unreachable(ClusterSnapshot previous, string error, DateTimeOffset timestamp, long version) =>
        previous with
        {
            State = ClusterState.Unreachable,
            Nodes = [.. previous.Nodes.Select(n => n with { Health = NodeHealth.Failed, Error = error, OpsPerSecond = null })],
            SlotStatistics = SlotStatistics.Empty,
            Error = error,
            Timestamp = timestamp,
            Version = version,
        };

    /// <summary>
    /// Whether a replica says of itself that it is linked to its primary and not syncing. CLUSTER SHARDS calls a replica
    /// "loading" until the node asked has heard a replication offset from it over the cluster bus; in a large cluster
    /// with a long node timeout that news can lag by minutes (seen at 200 nodes with a 60 s timeout: replicas linked,
    /// at offset 280, still "loading" to the node asked), and the replica's own INFO is the better witness.
    /// </summary>
    private static bool IsInSync(InfoReply info) =>
        string.Equals(info["master_link_status"], "up", StringComparison.Ordinal) && info.GetInt64("master_sync_in_progress") == 0;

    private static ClusterNode ToNode(ShardInfo shard, ShardNode node, string? primaryId, IReadOnlyDictionary<string, NodeProbe> probes, IReadOnlyDictionary<string, bool> reportsLoad)
    {
        probes.TryGetValue(node.Id, out var probe);
        var info = probe?.Info;
        var health = info is null
            ? NodeHealth.Failed
            : info.IsLoading ? NodeHealth.Loading
            : node.Health == NodeHealth.Loading && node.Role == NodeRole.Replica && IsInSync(info) ? NodeHealth.Online
            : node.Health;
        return new ClusterNode(
            node.Id,
            node.Endpoint,
            node.Role,
            primaryId,
            health,
            info?.ServerVersion,
            shard.Slots,
            info?.TotalKeys,
            info?.GetInt64("used_memory"),
            info?.GetInt64("instantaneous_ops_per_sec"),
            shard.Id,
            node.ReplicationOffset)
        {
            Error = info is null ? probe?.Error ?? "did not answer" : null,
            Product = info is null ? ServerProduct.Unknown : NodeCapabilityNames.ProductOf(info),
            Capabilities = info is null
                ? NodeCapabilities.None
                : NodeCapabilityNames.Observed(NodeCapabilityNames.FromInfo(info), reportsLoad.TryGetValue(node.Id, out var load) ? load : null),
        };
    }

    private static SlotStatistics MergeSlotStats(IReadOnlyDictionary<string, List<SlotStatsEntry>> slotStats)
    {
        var keys = new long[SlotRange.SlotCount];
        long[]? cpu = null, netIn = null, netOut = null;
        foreach (var entries in slotStats.Values)
        {
            foreach (var entry in entries)
            {
                keys[entry.Slot] = entry.KeyCount;
                if (entry.CpuUsec is { } c)
                {
                    (cpu ??= new long[SlotRange.SlotCount])[entry.Slot] = c;
                }

                if (entry.NetworkBytesIn is { } i)
                {
                    (netIn ??= new long[SlotRange.SlotCount])[entry.Slot] = i;
                }

                if (entry.NetworkBytesOut is { } o)
                {
                    (netOut ??= new long[SlotRange.SlotCount])[entry.Slot] = o;
                }
            }
        }

        return new SlotStatistics(keys, cpu, netIn, netOut);
    }
}
