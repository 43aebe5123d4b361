using ValkeyDashboard.Api;
using ValkeyDashboard.Cluster.Restarts;

namespace ValkeyDashboard.Hubs;

/// <summary>
/// Pushes one cluster's rolling restarts to the hub clients that watch it as they change: created once, then updated on each step (a node
/// starting, failing over, back), a few changes a node, so nothing needs coalescing. Through each connection's own
/// queue (<see cref="ClusterHubConnections"/>), like every other push.
/// </summary>
public sealed class RollingRestartBroadcaster(
    ClusterHubConnections hub,
    Clusters.ClusterName name,
    IRollingRestarts restarts,
    ILogger<RollingRestartBroadcaster> logger) : BackgroundService
{
    private readonly HashSet<string> _announced = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var rolling in restarts.WatchAsync(stoppingToken))
            {
                var response = RollingRestartResponse.From(rolling) with { ClusterName = name.Value };
                try
                {
                    if (_announced.Add(rolling.Id))
                    {
                        hub.ToCluster(name.Value, client => client.RollingRestartCreated(response));
                    }
                    else
                    {
                        hub.ToCluster(name.Value, client => client.RollingRestartUpdated(response));
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Could not push rolling restart {Id} to hub clients", rolling.Id);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
