using System.Collections.Immutable;

namespace ValkeyDashboard.Cluster.Model;

/// <summary>One node of the cluster as the monitor last saw it.</summary>
/// <param name="Id">The 40-hex node id.</param>
/// <param name="Endpoint">host:port clients use.</param>
/// <param name="Role">Primary or replica.</param>
/// <param name="PrimaryId">For a replica, the id of its primary; null for a primary.</param>
/// <param name="Health">Online, failed or loading.</param>
/// <param name="Version">Server version from INFO, null when the node did not answer.</param>
/// <param name="Slots">Slot ranges the node's shard serves (replicas carry their primary's).</param>
/// <param name="Keys">Keys in the node's keyspace (INFO keyspace); null when unknown.</param>
/// <param name="UsedMemoryBytes">INFO used_memory; null when unknown.</param>
/// <param name="OpsPerSecond">INFO instantaneous_ops_per_sec; null when unknown.</param>
/// <param name="ShardId">The 40-hex shard id from CLUSTER SHARDS.</param>
/// <param name="ReplicationOffset">Replication offset from CLUSTER SHARDS.</param>
public sealed record ClusterNode(
    string Id,
    string Endpoint,
    NodeRole Role,
    string? PrimaryId,
    NodeHealth Health,
    string? Version,
    SlotRangeSet Slots,
    long? Keys,
    long? UsedMemoryBytes,
    long? OpsPerSecond,
    string ShardId,
    long ReplicationOffset)
{
    public bool IsPrimary => Role == NodeRole.Primary;

    /// <summary>Replica ids of this node when it is a primary; filled in by the snapshot builder.</summary>
    public ImmutableArray<string> ReplicaIds { get; init; } = [];

    /// <summary>The server product (Valkey or Redis) from INFO; <see cref="ServerProduct.Unknown"/> when the node did not answer.</summary>
    public ServerProduct Product { get; init; }

    /// <summary>What the node's server offers (see <see cref="NodeCapabilityNames"/>); none when the node did not answer.</summary>
    public NodeCapabilities Capabilities { get; init; }

    /// <summary>Why the node is shown as failed, when the dashboard could not reach it.</summary>
    public string? Error { get; init; }
}
