using Microsoft.AspNetCore.SignalR;
using ValkeyDashboard.Api;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Monitoring;

namespace ValkeyDashboard.Hubs;

/// <summary>
/// Live cluster, migration and plan updates at <c>/hubs/cluster</c>. A client that connects gets the current
/// topology and every running migration and plan first; after that <see cref="ClusterHubBroadcaster"/> pushes changes.
/// </summary>
public sealed class ClusterHub(IClusterSnapshotSource cluster, ISlotMigrations migrations, Cluster.Plans.PlanCommands plans,
    Cluster.Restarts.IRollingRestarts restarts, Cluster.Hosting.LocalClusterHost host, SlotStatisticsWatchers watchers) : Hub<IClusterClient>
{
    public const string Path = "/hubs/cluster";

    /// <summary>The group of connections that asked for <see cref="IClusterClient.SlotStatisticsUpdated"/>.</summary>
    public const string SlotStatisticsGroup = "slot-statistics";

    public override async Task OnConnectedAsync()
    {
        await Clients.Caller.TopologyChanged(ClusterResponse.From(cluster.Current, host.FindProcess));
        foreach (var migration in migrations.Active)
        {
            await Clients.Caller.MigrationUpdated(MigrationResponse.From(migration));
        }

        foreach (var plan in plans.Active)
        {
            await Clients.Caller.PlanUpdated(PlanResponse.From(plan));
        }

        foreach (var rolling in restarts.Active)
        {
            await Clients.Caller.RollingRestartUpdated(RollingRestartResponse.From(rolling));
        }

        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        watchers.Remove(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>
    /// Asks for every slot's statistics after each monitor poll (16,384 figures per metric, so only clients that
    /// ask get them; the dashboard's own pages get compact heat-map frames instead).
    /// </summary>
    public async Task<SlotsResponse> WatchSlotStatistics()
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, SlotStatisticsGroup);
        watchers.Add(Context.ConnectionId);
        return SlotsResponse.From(cluster.Current);
    }

    /// <summary>The running migrations, for a client that wants to re-read them.</summary>
    public IReadOnlyList<MigrationResponse> GetActiveMigrations() => [.. migrations.Active.Select(MigrationResponse.From)];
}

/// <summary>Hub connections that asked for slot statistics; while there are none, none are built.</summary>
public sealed class SlotStatisticsWatchers
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _connections = new(StringComparer.Ordinal);

    public int Count => _connections.Count;

    public void Add(string connectionId) => _connections.TryAdd(connectionId, 0);

    public void Remove(string connectionId) => _connections.TryRemove(connectionId, out _);
}
