using Microsoft.AspNetCore.SignalR;
using ValkeyDashboard.Api;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Monitoring;

namespace ValkeyDashboard.Hubs;

/// <summary>
/// Live cluster and migration updates at <c>/hubs/cluster</c>. A client that connects gets the current
/// topology and every running migration first; after that <see cref="ClusterHubBroadcaster"/> pushes changes.
/// </summary>
public sealed class ClusterHub(IClusterSnapshotSource cluster, SlotMigrationService migrations) : Hub<IClusterClient>
{
    public const string Path = "/hubs/cluster";

    public override async Task OnConnectedAsync()
    {
        await Clients.Caller.TopologyChanged(ClusterResponse.From(cluster.Current));
        foreach (var migration in migrations.Active)
        {
            await Clients.Caller.MigrationUpdated(MigrationResponse.From(migration));
        }

        await base.OnConnectedAsync();
    }

    /// <summary>The running migrations, for a client that wants to re-read them.</summary>
    public IReadOnlyList<MigrationResponse> GetActiveMigrations() => [.. migrations.Active.Select(MigrationResponse.From)];
}
