using Microsoft.AspNetCore.SignalR;
using ValkeyDashboard.Api;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Monitoring;

namespace ValkeyDashboard.Hubs;

/// <summary>
/// Live cluster, migration and plan updates at <c>/hubs/cluster</c>. A client that connects gets the current
/// topology and every running migration and plan first; after that <see cref="ClusterHubBroadcaster"/> pushes changes.
/// </summary>
public sealed class ClusterHub(
    IClusterSnapshotSource cluster,
    ISlotMigrations migrations,
    Cluster.Plans.PlanCommands plans,
    Cluster.Restarts.IRollingRestarts restarts,
    Cluster.Hosting.LocalClusterHost host,
    SlotStatisticsWatchers watchers,
    ClusterHubConnections connections) : Hub<IClusterClient>
{
    public const string Path = "/hubs/cluster";

    /// <summary>
    /// Starts serving the connection through its own queue (<see cref="ClusterHubConnections"/>), the current topology
    /// and every running migration and plan first, so nothing pushed later overtakes them.
    /// </summary>
    public override async Task OnConnectedAsync()
    {
        connections.Add(Context);
        var topology = ClusterResponse.From(cluster.Current, host.FindProcess);
        connections.ToOne(Context.ConnectionId, client => client.TopologyChanged(topology));
        foreach (var migration in migrations.Active.Select(MigrationResponse.From))
        {
            connections.ToOne(Context.ConnectionId, client => client.MigrationUpdated(migration));
        }

        foreach (var plan in plans.Active.Select(PlanResponse.From))
        {
            connections.ToOne(Context.ConnectionId, client => client.PlanUpdated(plan));
        }

        foreach (var rolling in restarts.Active.Select(RollingRestartResponse.From))
        {
            connections.ToOne(Context.ConnectionId, client => client.RollingRestartUpdated(rolling));
        }

        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        watchers.Remove(Context.ConnectionId);
        connections.Remove(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>
    /// Asks for every slot's statistics after each monitor poll (16,384 figures per metric, so only clients that
    /// ask get them; the dashboard's own pages get compact heat-map frames instead). One client (a signed-in name,
    /// else an address) may have <see cref="RateLimitOptions.SlotStatisticsWatchersPerClient"/> connections watching.
    /// </summary>
    public SlotsResponse WatchSlotStatistics()
    {
        var client = Context.User?.Identity?.Name ?? Context.GetHttpContext()?.Connection.RemoteIpAddress?.ToString() ?? "local";
        if (!watchers.TryAdd(Context.ConnectionId, client, out var limit))
        {
            throw new HubException(
                $"429 Too many requests: {client} already watches slot statistics on {limit} connections, at most Dashboard:RateLimit:SlotStatisticsWatchersPerClient");
        }

        return SlotsResponse.From(cluster.Current);
    }

    /// <summary>The running migrations, for a client that wants to re-read them.</summary>
    public IReadOnlyList<MigrationResponse> GetActiveMigrations() => [.. migrations.Active.Select(MigrationResponse.From)];
}

/// <summary>Hub connections that asked for slot statistics, and whose they are; while there are none, none are built.</summary>
public sealed class SlotStatisticsWatchers(Microsoft.Extensions.Options.IOptions<DashboardOptions> options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _connections = new(StringComparer.Ordinal);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>The watching connections.</summary>
    public IReadOnlyList<string> ConnectionIds
    {
        get
        {
            lock (_gate)
            {
                return [.. _connections.Keys];
            }
        }
    }

    /// <summary>Adds a watching connection of <paramref name="client"/>, unless that client already has its most.</summary>
    public bool TryAdd(string connectionId, string client, out int limit)
    {
        limit = options.Value.RateLimit.SlotStatisticsWatchersPerClient;
        lock (_gate)
        {
            if (_connections.ContainsKey(connectionId))
            {
                return true;
            }

            if (_connections.Values.Count(c => c == client) >= limit)
            {
                return false;
            }

            _connections[connectionId] = client;
            return true;
        }
    }

    public void Remove(string connectionId)
    {
        lock (_gate)
        {
            _connections.Remove(connectionId);
        }
    }
}
