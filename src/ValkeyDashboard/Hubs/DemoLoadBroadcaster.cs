using ValkeyDashboard.Api;
using ValkeyDashboard.Cluster.Load;

namespace ValkeyDashboard.Hubs;

/// <summary>Pushes one cluster's demo load state to the hub clients that watch it (<c>LoadChanged</c>): at its start, about once a second while it runs, at its stop.</summary>
public sealed class DemoLoadBroadcaster(ClusterHubConnections hub, Clusters.ClusterName name, IDemoLoad load, ILogger<DemoLoadBroadcaster> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var first = true;
            await foreach (var state in load.WatchAsync(stoppingToken))
            {
                if (first)
                {
                    // The state at subscription is no change.
                    first = false;
                    continue;
                }

                try
                {
                    var response = LoadResponse.From(state, load.NotAllowedReason) with { ClusterName = name.Value };
                    hub.ToCluster(name.Value, client => client.LoadChanged(response));
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Could not push the demo load's state to hub clients");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
