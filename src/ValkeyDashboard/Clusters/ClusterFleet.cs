using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ValkeyDashboard.Api;
using ValkeyDashboard.Cluster.Monitoring;

namespace ValkeyDashboard.Clusters;

/// <summary>Every cluster's summary, live: what the overview page shows (the same figures as <c>GET /api/clusters</c>).</summary>
public interface IClusterFleet
{
    /// <summary>Every cluster now, the default first.</summary>
    IReadOnlyList<ClusterSummaryResponse> Summaries();

    /// <summary>The name of a cluster each time its monitor has polled (its figures may have changed), until cancelled.</summary>
    IAsyncEnumerable<string> WatchAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// <see cref="IClusterFleet"/> over <see cref="DashboardClusters"/>: each cluster's monitor is followed on its own, so
/// a cluster whose polls time out (unreachable) delays no other's news.
/// </summary>
public sealed class DashboardFleet(DashboardClusters clusters) : IClusterFleet
{
    public IReadOnlyList<ClusterSummaryResponse> Summaries() => [.. clusters.All.Select(ClusterSummaryResponse.From)];

    public async IAsyncEnumerable<string> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A reader that falls behind needs only the latest news of each cluster: older ones are dropped.
        var polled = Channel.CreateBounded<string>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var followers = clusters.All.Select(c => FollowAsync(c, polled.Writer, stop.Token)).ToList();
        try
        {
            await foreach (var name in polled.Reader.ReadAllAsync(cancellationToken))
            {
                yield return name;
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(followers);
        }
    }

    private static async Task FollowAsync(DashboardCluster cluster, ChannelWriter<string> polled, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in cluster.Services.GetRequiredService<IClusterSnapshotSource>().WatchAsync(cancellationToken))
            {
                polled.TryWrite(cluster.Name);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
