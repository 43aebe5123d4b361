using Microsoft.AspNetCore.Http.HttpResults;
using ValkeyDashboard.Cluster.Monitoring;

namespace ValkeyDashboard.Api;

/// <summary>Read-only views of the cluster, served from the monitor's latest snapshot (no Valkey round trip per request).</summary>
public static class ClusterApi
{
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Cluster");

        api.MapGet("/cluster", GetCluster)
            .WithName("GetCluster")
            .WithSummary("The cluster's state and every node")
            .WithDescription("State, slot coverage and, per node: id, endpoint, role, primary, health, version, slot ranges, keys, memory and ops/s. Refreshed every poll interval (1 s by default).");

        api.MapGet("/slots", GetSlots)
            .WithName("GetSlots")
            .WithSummary("Per-slot owner and statistics for all 16,384 slots")
            .WithDescription("Compact arrays indexed by slot: owner (index into primaries, -1 when unassigned), keys, and cpuUsec / networkBytesIn / networkBytesOut from CLUSTER SLOT-STATS (null where slot statistics are disabled).");

        return app;
    }

    public static Ok<ClusterResponse> GetCluster(IClusterSnapshotSource monitor, Cluster.Hosting.LocalClusterHost host) =>
        TypedResults.Ok(ClusterResponse.From(monitor.Current, host.FindProcess));

    public static Ok<SlotsResponse> GetSlots(IClusterSnapshotSource monitor) => TypedResults.Ok(SlotsResponse.From(monitor.Current));
}
