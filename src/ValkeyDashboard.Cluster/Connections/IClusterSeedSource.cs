namespace ValkeyDashboard.Cluster.Connections;

/// <summary>Where the dashboard first connects: the embedded host's nodes, or the configured endpoints of an external cluster.</summary>
public interface IClusterSeedSource
{
    /// <summary>One or more <c>host:port</c> of cluster nodes; the rest are discovered from the cluster.</summary>
    IReadOnlyList<string> GetSeedEndpoints();
}
