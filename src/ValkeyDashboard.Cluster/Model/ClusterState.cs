namespace ValkeyDashboard.Cluster.Model;

/// <summary>The cluster's overall state. Values are part of the wire contract.</summary>
public enum ClusterState
{
    /// <summary>No snapshot yet: the monitor has not read the cluster.</summary>
    Unknown = 0,

    /// <summary><c>cluster_state:ok</c>.</summary>
    Ok = 1,

    /// <summary><c>cluster_state:fail</c>: some slots are not served.</summary>
    Fail = 2,

    /// <summary>No node answered.</summary>
    Unreachable = 3,
}
