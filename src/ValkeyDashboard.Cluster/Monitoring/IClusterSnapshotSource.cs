using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Monitoring;

/// <summary>
/// Where pages, the API and the hub get the cluster from: the current snapshot, and a stream that
/// starts with it and continues with every new one. <see cref="ClusterMonitor"/> is the real source;
/// component tests feed their own.
/// </summary>
public interface IClusterSnapshotSource
{
    /// <summary>The latest snapshot.</summary>
    ClusterSnapshot Current { get; }

    /// <summary>The current snapshot, then every new one; a slow reader skips to the newest.</summary>
    IAsyncEnumerable<ClusterSnapshot> WatchAsync(CancellationToken cancellationToken = default);
}
