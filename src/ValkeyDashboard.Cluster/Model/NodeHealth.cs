namespace ValkeyDashboard.Cluster.Model;

/// <summary>
/// A node's health as Valkey reports it in <c>CLUSTER SHARDS</c>, combined with whether the
/// dashboard itself can reach the node. Values are part of the wire contract.
/// </summary>
public enum NodeHealth
{
    Online = 0,
    Failed = 1,
    Loading = 2,
}
