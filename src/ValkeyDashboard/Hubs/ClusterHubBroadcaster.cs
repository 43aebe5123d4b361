using ValkeyDashboard.Api;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Plans;

namespace ValkeyDashboard.Hubs;

/// <summary>
/// Pushes one cluster's migration, plan and topology changes to the hub clients that watch it, coalesced: per migration and per plan only its
/// latest state is sent each <see cref="FlushInterval"/>, so many jobs do not flood the connections; topology is sent
/// only when it changed, slot statistics at most once per monitor poll and only to clients that asked (<see cref="ClusterHub.WatchSlotStatistics"/>).
/// Every message goes into each connection's own queue (<see cref="ClusterHubConnections"/>): nothing here waits for a
/// client, so a client that stops reading delays no one.
/// </summary>
public sealed class ClusterHubBroadcaster(
    ClusterHubConnections hub,
    Clusters.ClusterName name,
    ISlotMigrations migrations,
    PlanCommands plans,
    IClusterSnapshotSource cluster,
    SlotStatisticsWatchers slotStatisticsWatchers,
    Cluster.Hosting.LocalClusterHost host,
    ILogger<ClusterHubBroadcaster> logger) : BackgroundService
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(100);

    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMilliseconds(400);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Migration> _pending = new(StringComparer.Ordinal);
    private readonly HashSet<string> _announced = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Plan> _pendingPlans = new(StringComparer.Ordinal);
    private readonly HashSet<string> _announcedPlans = new(StringComparer.Ordinal);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(CollectMigrationsAsync(stoppingToken), CollectPlansAsync(stoppingToken), FlushMigrationsAsync(stoppingToken), FollowClusterAsync(stoppingToken));

    private async Task CollectPlansAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var plan in plans.WatchAsync(stoppingToken))
            {
                lock (_gate)
                {
                    _pendingPlans[plan.Id] = plan;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void FlushPlans(bool heartbeat)
    {
        List<Plan> batch;
        lock (_gate)
        {
            if (heartbeat)
            {
                foreach (var running in plans.Active)
                {
                    _pendingPlans.TryAdd(running.Id, running);
                }
            }

            batch = [.. _pendingPlans.Values];
            _pendingPlans.Clear();
        }

        foreach (var plan in batch.OrderBy(p => p.CreatedAt))
        {
            var response = PlanResponse.From(plan) with { ClusterName = name.Value };
            try
            {
                if (_announcedPlans.Add(plan.Id))
                {
                    hub.ToCluster(name.Value, client => client.PlanCreated(response));
                }
                else
                {
                    hub.ToCluster(name.Value, client => client.PlanUpdated(response));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Could not push plan {PlanId} to hub clients", plan.Id);
            }
        }
    }

    private async Task CollectMigrationsAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var migration in migrations.WatchAsync(stoppingToken))
            {
                lock (_gate)
                {
                    _pending[migration.Id] = migration;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task FlushMigrationsAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval);
        var lastHeartbeat = TimeProvider.System.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                List<Migration> batch;
                var heartbeat = false;
                lock (_gate)
                {
                    // Running migrations (and plans) are re-sent at least every HeartbeatInterval, so clients see progress
                    // (and that the dashboard still follows them) at least twice a second even when Valkey is quiet.
                    if (TimeProvider.System.GetElapsedTime(lastHeartbeat) >= HeartbeatInterval)
                    {
                        heartbeat = true;
                        lastHeartbeat = TimeProvider.System.GetTimestamp();
                        foreach (var running in migrations.Active)
                        {
                            _pending.TryAdd(running.Id, running);
                        }
                    }

                    batch = [.. _pending.Values];
                    _pending.Clear();
                }

                foreach (var migration in batch.OrderBy(m => m.CreatedAt))
                {
                    var response = MigrationResponse.From(migration) with { ClusterName = name.Value };
                    try
                    {
                        if (_announced.Add(migration.Id))
                        {
                            hub.ToCluster(name.Value, client => client.MigrationCreated(response));
                        }
                        else
                        {
                            hub.ToCluster(name.Value, client => client.MigrationUpdated(response));
                        }
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        logger.LogWarning(ex, "Could not push migration {MigrationId} to hub clients", migration.Id);
                    }
                }

                FlushPlans(heartbeat);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task FollowClusterAsync(CancellationToken stoppingToken)
    {
        string? lastTopology = null;
        try
        {
            await foreach (var snapshot in cluster.WatchAsync(stoppingToken))
            {
                var topology = TopologyKey(snapshot);
                try
                {
                    if (topology != lastTopology)
                    {
                        lastTopology = topology;
                        var cluster = ClusterResponse.From(snapshot, host.FindProcess) with { ClusterName = name.Value };
                        hub.ToCluster(name.Value, client => client.TopologyChanged(cluster));
                    }

                    if (slotStatisticsWatchers.Count > 0)
                    {
                        var slots = SlotsResponse.From(snapshot) with { ClusterName = name.Value };
                        hub.ToSome(slotStatisticsWatchers.ConnectionIds, name.Value, client => client.SlotStatisticsUpdated(slots));
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Could not push the cluster to hub clients");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>What makes a topology different: state, and per node its role, primary, health and slots.</summary>
    private static string TopologyKey(ClusterSnapshot snapshot) =>
        snapshot.State + "|" + string.Join(';', snapshot.Nodes.Select(n => $"{n.Id}/{n.Role}/{n.PrimaryId}/{n.Health}/{n.Slots}"));
}
