using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;

namespace ValkeyDashboard.Cluster.Storage;

/// <summary>
/// Tells the dashboard's database which cluster it serves (<see cref="DashboardDatabase.IdentifyClusterAsync"/>) from the
/// node ids the monitor sees: at start when the cluster answered the first read (so the histories load the right
/// cluster's records), otherwise as soon as it answers; later snapshots add new nodes to it. Started after the monitor
/// and before the histories.
/// </summary>
public sealed class ClusterIdentifier(IClusterSnapshotSource snapshots, DashboardDatabase database, TimeProvider time, ILogger<ClusterIdentifier> logger) : IHostedService
{
    private readonly BackgroundLoop _loop = new();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (NodeIds(snapshots.Current) is { Count: > 0 } nodes)
        {
            await IdentifyAsync(nodes, cancellationToken);
        }
        else
        {
            logger.LogWarning("The cluster did not answer at start: its history and audit log are shown once it does");
        }

        _loop.Start(WatchAsync);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _loop.StopAsync(cancellationToken);

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        HashSet<string>? last = null;
        await foreach (var snapshot in snapshots.WatchAsync(stoppingToken))
        {
            var nodes = NodeIds(snapshot);
            if (nodes.Count == 0 || (last is not null && last.SetEquals(nodes)))
            {
                continue;
            }

            last = nodes;
            await IdentifyAsync(nodes, stoppingToken);
        }
    }

    private async Task IdentifyAsync(HashSet<string> nodes, CancellationToken cancellationToken)
    {
        var before = database.ClusterId;
        var id = await database.IdentifyClusterAsync(nodes, time.GetUtcNow(), cancellationToken);
        if (id != before)
        {
            logger.LogInformation("Cluster {ClusterId} ({NodeCount} nodes): its migrations, plans and audit entries are the ones shown", id, nodes.Count);
        }
    }

    private static HashSet<string> NodeIds(ClusterSnapshot snapshot) =>
        snapshot.Nodes.Select(n => n.Id).Where(id => !string.IsNullOrEmpty(id)).ToHashSet(StringComparer.Ordinal);
}
