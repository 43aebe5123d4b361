using Microsoft.AspNetCore.SignalR;
using ValkeyDashboard.Api;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Clusters;

namespace ValkeyDashboard.Hubs;

/// <summary>
/// Live cluster, migration and plan updates at <c>/hubs/cluster</c>. A connection watches one cluster or all of them
/// (<c>?cluster=name</c>, <c>?cluster=*</c>, or <see cref="Watch"/> later; the default cluster when it names none); every
/// message names its cluster (<c>cluster</c>). On connecting, and for each cluster it starts watching, a client gets
/// that cluster's current topology and every running migration, plan and rolling restart first; after that each
/// cluster's <see cref="ClusterHubBroadcaster"/> pushes its changes. A token limited to some clusters
/// (<c>Clusters</c> on the token) cannot watch the others.
/// </summary>
public sealed class ClusterHub(
    DashboardClusters clusters,
    SlotStatisticsWatchers watchers,
    ClusterHubConnections connections) : Hub<IClusterClient>
{
    public const string Path = "/hubs/cluster";

    /// <summary>The query parameter that names the cluster a connection watches from the start.</summary>
    public const string ClusterQuery = "cluster";

    /// <summary>Watches every cluster the token may use.</summary>
    public const string AllClusters = "*";

    /// <summary>
    /// Starts serving the connection through its own queue (<see cref="ClusterHubConnections"/>), the current state of
    /// the clusters it watches first, so nothing pushed later overtakes them.
    /// </summary>
    public override async Task OnConnectedAsync()
    {
        var query = Context.GetHttpContext()?.Request.Query[ClusterQuery].ToString();
        var watched = Resolve(string.IsNullOrEmpty(query) ? null : query);
        connections.Add(Context, Names(watched));
        foreach (var cluster in watched)
        {
            SendCurrent(cluster);
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
    /// Watches <paramref name="cluster"/> from now on, instead of what the connection watched: a name, or <c>*</c> for
    /// every cluster the token may use. The clusters it did not watch before send their current state first. Returns
    /// the names watched. An unknown cluster, or one the token may not use, is refused (HubException) and changes nothing.
    /// </summary>
    public IReadOnlyList<string> Watch(string? cluster)
    {
        var watched = Resolve(string.IsNullOrEmpty(cluster) ? AllClusters : cluster);
        var added = connections.Watch(Context.ConnectionId, Names(watched));
        foreach (var each in watched.Where(c => added.Contains(c.Name)))
        {
            SendCurrent(each);
        }

        return [.. watched.Select(c => c.Name)];
    }

    /// <summary>
    /// Asks for every slot's statistics after each monitor poll of the clusters the connection watches (16,384
    /// figures per metric, so only clients that ask get them; the dashboard's own pages get compact heat-map frames
    /// instead). Returns the first watched cluster's current ones. One client (a signed-in name, else an address) may
    /// have <see cref="RateLimitOptions.SlotStatisticsWatchersPerClient"/> connections watching.
    /// </summary>
    public SlotsResponse WatchSlotStatistics()
    {
        var client = Context.User?.Identity?.Name ?? Context.GetHttpContext()?.Connection.RemoteIpAddress?.ToString() ?? "local";
        if (!watchers.TryAdd(Context.ConnectionId, client, out var limit))
        {
            throw new HubException(
                $"429 Too many requests: {client} already watches slot statistics on {limit} connections, at most Dashboard:RateLimit:SlotStatisticsWatchersPerClient");
        }

        var first = Watched().FirstOrDefault() ?? clusters.Default;
        return SlotsResponse.From(first.Services.GetRequiredService<IClusterSnapshotSource>().Current) with { ClusterName = first.Name };
    }

    /// <summary>The running migrations of the clusters the connection watches, for a client that wants to re-read them.</summary>
    public IReadOnlyList<MigrationResponse> GetActiveMigrations() =>
        [.. Watched().SelectMany(c => c.Services.GetRequiredService<ISlotMigrations>().Active.Select(m => MigrationResponse.From(m) with { ClusterName = c.Name }))];

    private IEnumerable<DashboardCluster> Watched()
    {
        var names = connections.WatchedBy(Context.ConnectionId);
        return clusters.All.Where(c => names.Contains(c.Name));
    }

    /// <summary>The clusters <paramref name="cluster"/> names (null: the default one), refused when unknown or not the token's.</summary>
    private IReadOnlyList<DashboardCluster> Resolve(string? cluster)
    {
        var user = Context.User ?? new System.Security.Claims.ClaimsPrincipal();
        if (cluster == AllClusters)
        {
            return [.. clusters.All.Where(c => ClusterRouting.MayUse(user, c.Name))];
        }

        var found = cluster is null ? clusters.Default : clusters.Find(cluster);
        if (found is null)
        {
            throw new HubException(
                $"404 Unknown cluster: there is no cluster \"{cluster}\"; the clusters are: {string.Join(", ", clusters.Names.Where(n => ClusterRouting.MayUse(user, n)))}");
        }

        if (!ClusterRouting.MayUse(user, found.Name))
        {
            throw new HubException(
                $"403 Forbidden: token {user.Identity?.Name} may use clusters {string.Join(", ", clusters.Names.Where(n => ClusterRouting.MayUse(user, n)))}; not {found.Name}" +
                (cluster is null ? $" (the default cluster; name one with ?{ClusterQuery}=)" : string.Empty));
        }

        return [found];
    }

    private static HashSet<string> Names(IEnumerable<DashboardCluster> watched) => watched.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>Queues <paramref name="cluster"/>'s topology and running work for this connection.</summary>
    private void SendCurrent(DashboardCluster cluster)
    {
        var services = cluster.Services;
        var name = cluster.Name;
        var host = services.GetRequiredService<Cluster.Hosting.LocalClusterHost>();
        var topology = ClusterResponse.From(services.GetRequiredService<IClusterSnapshotSource>().Current, host.FindProcess) with { ClusterName = name };
        connections.ToOne(Context.ConnectionId, client => client.TopologyChanged(topology));
        foreach (var migration in services.GetRequiredService<ISlotMigrations>().Active.Select(m => MigrationResponse.From(m) with { ClusterName = name }))
        {
            connections.ToOne(Context.ConnectionId, client => client.MigrationUpdated(migration));
        }

        foreach (var plan in services.GetRequiredService<Cluster.Plans.PlanCommands>().Active.Select(p => PlanResponse.From(p) with { ClusterName = name }))
        {
            connections.ToOne(Context.ConnectionId, client => client.PlanUpdated(plan));
        }

        foreach (var rolling in services.GetRequiredService<Cluster.Restarts.IRollingRestarts>().Active.Select(r => RollingRestartResponse.From(r) with { ClusterName = name }))
        {
            connections.ToOne(Context.ConnectionId, client => client.RollingRestartUpdated(rolling));
        }
    }
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
