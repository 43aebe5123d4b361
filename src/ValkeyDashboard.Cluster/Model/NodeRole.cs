namespace ValkeyDashboard.Cluster.Model;

/// <summary>A node's role in its shard. Values are part of the wire contract.</summary>
public enum NodeRole
{
    Primary = 0,
    Replica = 1,
}
